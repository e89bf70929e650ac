-- A superseded version, or a version that lost a conflict (kept, never discarded).
INSERT INTO inspection_record_history (
    record_id, version, reason, based_on, snapshot, conflicts, written_by
)
VALUES (
    CAST(:id AS uuid), :version, :reason, :based_on, CAST(:snapshot AS jsonb),
    CAST(:conflicts AS jsonb), :actor
)
