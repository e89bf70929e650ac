-- One record's current values, locked for the rest of the write's transaction.
SELECT id, kind, severity, notes, ST_X(geom) AS lon, ST_Y(geom) AS lat, accuracy_m, located_by,
       observed_at, device_id, status, close_note, closed_by, closed_at, version,
       created_by, created_at, updated_by, updated_at
FROM inspection_records
WHERE id = CAST(:id AS uuid)
FOR UPDATE
