-- Every section's catchment row with its name, class target and its upstream neighbours.
SELECT c.section_code AS code, s.name, c.downstream_code, c.snap_distance_m, c.reason,
       c.incremental_km2, c.catchment_km2, c.computed_at,
       coalesce((SELECT array_agg(u.section_code ORDER BY u.section_code) FROM catchments u
                  WHERE u.downstream_code = c.section_code), '{}') AS upstream_codes,
       CASE WHEN CAST(:geometry AS boolean) THEN ST_AsGeoJSON(c.incremental, 7)::json END AS incremental,
       CASE WHEN CAST(:geometry AS boolean) THEN ST_AsGeoJSON(c.catchment, 7)::json END AS catchment
  FROM catchments c JOIN sections s ON s.code = c.section_code
 WHERE CAST(:code AS text) IS NULL OR c.section_code = CAST(:code AS text)
 ORDER BY c.section_code
