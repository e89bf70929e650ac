-- Close a record with a note, as a new version.
UPDATE inspection_records
SET status = 'closed', close_note = :note, closed_by = :actor, closed_at = now(),
    version = version + 1, updated_by = :actor, updated_at = now()
WHERE id = CAST(:id AS uuid)
RETURNING version
