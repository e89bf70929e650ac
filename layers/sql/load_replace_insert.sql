-- Set-based move from staging into the layer, in file order; the table's constraints run here.
INSERT INTO {table} ({columns}, source)
SELECT {columns}, :source
FROM _stage
ORDER BY _row
