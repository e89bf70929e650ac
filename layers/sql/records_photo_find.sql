-- A photo's record and checksum (idempotent uploads compare them).
SELECT record_id, sha256 FROM inspection_photos WHERE id = CAST(:id AS uuid)
