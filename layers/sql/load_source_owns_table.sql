-- Whether every row of the layer came from this source (a full reload may then TRUNCATE).
SELECT NOT EXISTS (SELECT 1 FROM {table} WHERE source IS DISTINCT FROM :source)
