-- Staged features that fail a CHECK constraint of the target (the expression comes from
-- pg_constraint, so it names the same columns the staging table has).
SELECT _row FROM _stage WHERE NOT ({check}) ORDER BY _row LIMIT 5
