-- The sections (code and point), the rivers, the water surfaces burned as lakes (地类图斑 of
-- :lake_codes, 水库水面/湖泊水面), in the DEM's CRS (:epsg), and the district.
SELECT 'section' AS kind, code, ST_AsBinary(ST_Transform(geom, :epsg)) AS wkb FROM sections
UNION ALL
SELECT 'river', NULL, ST_AsBinary(ST_Transform(geom, :epsg)) FROM rivers
UNION ALL
SELECT 'lake', NULL, ST_AsBinary(ST_Transform(geom, :epsg)) FROM farmland
 WHERE dlbm = ANY(:lake_codes)
UNION ALL
SELECT 'district', NULL, ST_AsBinary(ST_Transform(ST_Union(geom), :epsg)) FROM district
