-- The 耕地 parcels (:farmland_codes) in the land-cover raster's CRS (:epsg), with what names them
-- and its GeoJSON in EPSG:4490 (for the map).
SELECT bsm, dlbm, zldwmc, ST_Area(geom::geography) AS area_m2,
       ST_AsBinary(ST_Transform(geom, :epsg)) AS wkb, ST_AsGeoJSON(geom, 7) AS geojson
  FROM farmland
 WHERE dlbm = ANY(:farmland_codes)
   AND ST_Intersects(geom, (SELECT extent FROM rasters WHERE kind = 'landcover'))
 ORDER BY bsm
