-- The sections (code and point) and the rivers, in the DEM's CRS (:epsg), and the district.
SELECT 'section' AS kind, code, ST_AsBinary(ST_Transform(geom, :epsg)) AS wkb FROM sections
UNION ALL
SELECT 'river', NULL, ST_AsBinary(ST_Transform(geom, :epsg)) FROM rivers
UNION ALL
SELECT 'district', NULL, ST_AsBinary(ST_Transform(ST_Union(geom), :epsg)) FROM district
