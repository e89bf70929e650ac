-- A record's history, oldest first: superseded versions and versions that lost a conflict.
SELECT version, reason, based_on, snapshot, conflicts, written_by, written_at
FROM inspection_record_history
WHERE record_id = CAST(:id AS uuid)
ORDER BY id
