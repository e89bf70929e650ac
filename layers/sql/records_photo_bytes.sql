-- A photo's bytes, type and checksum.
SELECT data, content_type, sha256
FROM inspection_photos
WHERE id = CAST(:id AS uuid) AND record_id = CAST(:record_id AS uuid)
