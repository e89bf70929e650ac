-- Rows of this source that the new file no longer has (and nothing references).
DELETE FROM {table} AS t
WHERE t.source = :source AND NOT EXISTS (SELECT 1 FROM _stage AS s WHERE s.{key} = t.{key})
