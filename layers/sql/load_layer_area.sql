-- Ellipsoidal area of the rows of one source: geography on EPSG:4490 uses the CGCS2000
-- ellipsoid from spatial_ref_sys (a = 6378137, 1/f = 298.257222101, the same as GRS80).
-- {area} is ST_Area(geom::geography), or the column PostgreSQL keeps with that very value
-- (LayerSpec.ellipsoidal_area_field): computed on insert, not again here.
SELECT coalesce(sum({area}), 0) AS area_m2
FROM {table}
WHERE source = :source
