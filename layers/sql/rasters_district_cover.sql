-- How much of the district a raster's extent covers: the district's area (m², ellipsoidal) and
-- the part of it inside :extent (EWKT, EPSG:4490). NULL district_m2 = no district loaded.
WITH d AS (SELECT ST_Union(geom) AS geom FROM district)
SELECT ST_Area(d.geom::geography) AS district_m2,
       ST_Area(ST_Intersection(d.geom, ST_GeomFromEWKT(:extent))::geography) AS covered_m2
  FROM d
