-- Rows of this source that the new file no longer has but another table still references:
-- removing them would cascade (a section's samples), so the load is refused instead.
SELECT t.{key}, count(*) AS n
FROM {table} AS t
JOIN {child} AS ch ON ch.{child_column} = t.{key}
WHERE t.source = :source AND NOT EXISTS (SELECT 1 FROM _stage AS s WHERE s.{key} = t.{key})
GROUP BY t.{key}
ORDER BY t.{key}
LIMIT 10
