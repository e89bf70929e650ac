-- A whole layer as one GeoJSON FeatureCollection, built in PostGIS (coordinates in EPSG:4490).
-- {table} is a quoted table name from the registry. Every column but geom becomes a property.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'crs', json_build_object('type', 'name', 'properties', json_build_object('name', 'EPSG:4490')),
    'features', COALESCE(json_agg(ST_AsGeoJSON(t.*, 'geom', 9)::json ORDER BY t.id), '[]'::json)
)::text
FROM {table} AS t
