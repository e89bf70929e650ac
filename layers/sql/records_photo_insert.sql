-- A photo, its checksum, and the EXIF time and position it carried.
INSERT INTO inspection_photos (
    id, record_id, sha256, content_type, size_bytes, width, height, taken_at, taken_geom,
    data, uploaded_by
)
VALUES (
    CAST(:id AS uuid), CAST(:record_id AS uuid), :sha256, :content_type, :size_bytes, :width,
    :height, :taken_at,
    CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
         ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) END,
    :data, :actor
)
