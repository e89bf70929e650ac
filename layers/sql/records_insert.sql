-- A new record, version 1; nothing when a record with this client id already exists.
INSERT INTO inspection_records (
    id, kind, severity, notes, geom, accuracy_m, located_by, observed_at, device_id,
    created_by, updated_by
)
VALUES (
    CAST(:id AS uuid), :kind, :severity, :notes,
    ST_SetSRID(ST_MakePoint(:lon, :lat), 4490), :accuracy_m, :located_by, :observed_at,
    :device_id, :actor, :actor
)
ON CONFLICT (id) DO NOTHING
RETURNING version
