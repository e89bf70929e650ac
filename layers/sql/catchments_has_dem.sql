-- Whether a DEM is registered (to say why a section has no catchment yet).
SELECT EXISTS (SELECT 1 FROM rasters WHERE kind = 'dem')
