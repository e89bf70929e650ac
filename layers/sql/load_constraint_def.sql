-- The definition and kind of a constraint of a layer table, to explain a violation.
SELECT pg_get_constraintdef(c.oid) AS definition, c.contype AS kind
FROM pg_constraint AS c
WHERE c.conname = :name AND c.conrelid = CAST(:table AS regclass)
