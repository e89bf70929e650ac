-- Rows of this source that the new file still has: updated in place, so their id and the
-- rows referencing their key (a section's samples) stay.
UPDATE {table} AS t
SET ({columns}) = ROW({staged})
FROM _stage AS s
WHERE t.{key} = s.{key} AND t.source = :source
