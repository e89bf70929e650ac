-- The values of an earlier version: what a stale edit was based on.
SELECT snapshot
FROM inspection_record_history
WHERE record_id = CAST(:id AS uuid) AND version = :version AND reason = 'superseded'
