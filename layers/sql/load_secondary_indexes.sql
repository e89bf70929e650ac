-- Indexes of a layer table that a large load may drop and rebuild (GiST and plain b-trees:
-- not the primary key, not unique ones, which enforce constraints), with their definitions,
-- and the planner's row estimate of the table.
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index AS i
WHERE i.indrelid = CAST(:table AS regclass) AND NOT i.indisunique AND NOT i.indisprimary
