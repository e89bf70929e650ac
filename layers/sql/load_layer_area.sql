-- Ellipsoidal area of the rows of one source: geography on EPSG:4490 uses the CGCS2000
-- ellipsoid from spatial_ref_sys (a = 6378137, 1/f = 298.257222101, the same as GRS80).
SELECT coalesce(sum(ST_Area(geom::geography)), 0) AS area_m2
FROM {table}
WHERE source = :source
