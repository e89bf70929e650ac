-- Whether this losing version is already kept (a device retrying the same stale edit).
SELECT EXISTS (
    SELECT 1 FROM inspection_record_history
    WHERE record_id = CAST(:id AS uuid) AND reason = 'conflict' AND based_on = :based_on
      AND snapshot = CAST(:snapshot AS jsonb)
)
