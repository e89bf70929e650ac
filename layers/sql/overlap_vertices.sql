-- Vertices of the parcels (地类图斑), 永久基本农田 and 生态保护红线 inside a small view, for
-- snapping a drawn outline to them. The view is bound (EPSG:4490); at most :limit vertices,
-- one more fetched so the caller knows when the view holds more.
WITH view AS (
    SELECT ST_MakeEnvelope(:west, :south, :east, :north, 4490) AS geom
),
points AS (
    SELECT (ST_DumpPoints(f.geom)).geom AS geom FROM farmland AS f, view WHERE f.geom && view.geom
    UNION ALL
    SELECT (ST_DumpPoints(b.geom)).geom FROM basic_farmland AS b, view WHERE b.geom && view.geom
    UNION ALL
    SELECT (ST_DumpPoints(r.geom)).geom FROM eco_redline AS r, view WHERE r.geom && view.geom
)
SELECT DISTINCT ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
FROM points AS p, view
WHERE p.geom && view.geom
LIMIT :limit + 1
