-- The vector tiles of one layer that an offline area (离线区域) of one unit holds, with the size
-- of each: every tile of the area's grid (offline_area_grid.sql, put in for grid) and the byte length
-- of the tile's Mapbox Vector Tile (every column but geom as properties, as tipg sends them;
-- uncompressed, as the device stores them). {table} is a quoted registry table name.
WITH tiles AS (
    SELECT g.z, g.x, g.y, ST_TileEnvelope(g.z, g.x, g.y) AS env
    FROM ({grid}) AS g
)
SELECT t.z, t.x, t.y, COALESCE(length(m.mvt), 0) AS bytes
FROM tiles AS t
LEFT JOIN LATERAL (
    SELECT ST_AsMVT(q, CAST(:layer AS text), 4096, 'geom') AS mvt
    FROM (
        SELECT
            ST_AsMVTGeom(ST_Transform(f.geom, 3857), t.env, 4096, 256, true) AS geom,
            to_jsonb(f) - 'geom' AS props
        FROM {table} AS f
        WHERE f.geom && ST_Transform(t.env, 4490)
    ) AS q
    WHERE q.geom IS NOT NULL
) AS m ON true
ORDER BY t.z, t.x, t.y
