-- Rows new in the file, in file order.
INSERT INTO {table} ({columns}, source)
SELECT {columns}, CAST(:source AS text)
FROM _stage AS s
WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = s.{key} AND t.source = CAST(:source AS text))
ORDER BY s._row
