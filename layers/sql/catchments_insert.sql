-- One section's catchment row; areas ellipsoidal (geography), in km².
INSERT INTO catchments (section_code, downstream_code, snap_distance_m, reason, dem_sha256,
                        incremental, catchment, incremental_km2, catchment_km2)
SELECT :code, :downstream, :snap, :reason, :sha256, i.g, c.g,
       ST_Area(i.g::geography) / 1e6, ST_Area(c.g::geography) / 1e6
  FROM (SELECT ST_Multi(ST_GeomFromWKB(:incremental, 4490)) AS g) i,
       (SELECT ST_Multi(ST_GeomFromWKB(:catchment, 4490)) AS g) c
