-- Rows new in the file, in file order.
INSERT INTO {table} ({columns}, source)
SELECT {columns}, %(source)s::text
FROM _stage AS s
WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = s.{key} AND t.source = %(source)s::text)
ORDER BY s._row
