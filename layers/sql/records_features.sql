-- Records as a GeoJSON FeatureCollection (CGCS2000 lon/lat), newest observation first,
-- filtered by kind, status, observation date (China time, inclusive) and bounding box, one
-- page of :limit from :offset; numberMatched counts every record the filters match
-- (OGC API Features' members: the caller pages until it has them all).
WITH matched AS (
    SELECT r.*
    FROM inspection_records r
    WHERE (CAST(:id AS uuid) IS NULL OR r.id = CAST(:id AS uuid))
      AND (CAST(:kind AS text) IS NULL OR r.kind = CAST(:kind AS text))
      AND (CAST(:status AS text) IS NULL OR r.status = CAST(:status AS text))
      AND (CAST(:date_from AS date) IS NULL
           OR r.observed_at >= CAST(:date_from AS date)::timestamp AT TIME ZONE 'Asia/Shanghai')
      AND (CAST(:date_to AS date) IS NULL
           OR r.observed_at < (CAST(:date_to AS date) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
      AND (CAST(:xmin AS float8) IS NULL OR r.geom && ST_MakeEnvelope(
           CAST(:xmin AS float8), CAST(:ymin AS float8),
           CAST(:xmax AS float8), CAST(:ymax AS float8), 4490))
),
page AS (
    SELECT * FROM matched ORDER BY observed_at DESC, id LIMIT :limit OFFSET :offset
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'numberMatched', (SELECT count(*) FROM matched),
    'numberReturned', count(f.id),
    'features', COALESCE(json_agg(f.feature ORDER BY f.observed_at DESC, f.id), '[]'::json)
)
FROM (
    SELECT r.id, r.observed_at, json_build_object(
        'type', 'Feature',
        'id', r.id,
        'geometry', ST_AsGeoJSON(r.geom, 7, 0)::json,
        'properties', json_build_object(
            'id', r.id, 'kind', r.kind, 'severity', r.severity, 'notes', r.notes,
            'status', r.status, 'close_note', r.close_note, 'closed_by', r.closed_by,
            'closed_at', r.closed_at, 'observed_at', r.observed_at,
            'accuracy_m', r.accuracy_m, 'located_by', r.located_by, 'version', r.version,
            'created_by', r.created_by, 'created_at', r.created_at,
            'updated_by', r.updated_by, 'updated_at', r.updated_at,
            'conflicts', (
                SELECT count(*) FROM inspection_record_history h
                WHERE h.record_id = r.id AND h.reason = 'conflict'
            ),
            'photos', (
                SELECT COALESCE(json_agg(json_build_object(
                    'id', p.id, 'sha256', p.sha256, 'content_type', p.content_type,
                    'size_bytes', p.size_bytes, 'width', p.width, 'height', p.height,
                    'taken_at', p.taken_at,
                    'taken_lon', ST_X(p.taken_geom), 'taken_lat', ST_Y(p.taken_geom)
                ) ORDER BY p.uploaded_at, p.id), '[]'::json)
                FROM inspection_photos p WHERE p.record_id = r.id
            )
        )
    ) AS feature
    FROM page r
) AS f
