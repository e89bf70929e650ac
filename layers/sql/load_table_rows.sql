-- The planner's estimate of a table's rows (kept current by the ANALYZE after each load).
SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = CAST(:table AS regclass)
