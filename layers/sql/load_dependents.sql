-- Tables whose single-column foreign keys point at a layer (samples.section_code → sections.code).
SELECT c.conrelid::regclass::text AS child, ca.attname AS child_column, pa.attname AS key_column
FROM pg_constraint AS c
JOIN pg_attribute AS ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[1]
JOIN pg_attribute AS pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.confrelid = CAST(:table AS regclass) AND cardinality(c.conkey) = 1
