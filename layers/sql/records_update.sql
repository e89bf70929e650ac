-- The record's editable fields, as a new version.
UPDATE inspection_records
SET kind = :kind, severity = :severity, notes = :notes,
    geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4490), accuracy_m = :accuracy_m,
    located_by = :located_by, observed_at = :observed_at, device_id = :device_id,
    version = version + 1, updated_by = :actor, updated_at = now()
WHERE id = CAST(:id AS uuid)
RETURNING version
