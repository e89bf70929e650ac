#!/usr/bin/env bash
# Install the map's browser assets from the npm registry (package-lock.json pins them) and copy
# exactly the files the page loads (webmap/assets.py) into webmap/static/vendor/, which the app
# serves. Nothing else is copied: no docs pages, nothing that could point at another host.
set -euo pipefail
cd "$(dirname "$0")/.."
# --ignore-scripts: no package's install hook runs (swagger-ui-dist's would phone home).
npm ci --no-audit --no-fund --silent --ignore-scripts
dest=webmap/static/vendor
rm -rf "$dest" && mkdir -p "$dest"/{leaflet,leaflet-draw,leaflet.vectorgrid,bootstrap/css,swagger-ui,workbox}
cp -r node_modules/leaflet/dist/{leaflet.js,leaflet.css,images} "$dest/leaflet/"
cp -r node_modules/leaflet-draw/dist/{leaflet.draw.js,leaflet.draw.css,images} "$dest/leaflet-draw/"
cp node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js "$dest/leaflet.vectorgrid/"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap/css/"
# Swagger UI for /docs and /ogc/docs (api/docs.py), without its source maps.
cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css} "$dest/swagger-ui/"
# Workbox's modules for the service worker (/sw.js from webmap/static/sw.js), imported in
# dependency order by the worker itself: not workbox-sw, whose loader defaults to Google's CDN.
for m in core precaching routing strategies expiration; do
  cp "node_modules/workbox-$m/build/workbox-$m.prod.js" "$dest/workbox/"
done
# exifr's "lite" build (JPEG and HEIC; EXIF time and GPS, tag names) for the inspection records' photos
# (ws-records.js reads the time and position on the device, before the upload).
mkdir -p "$dest/exifr"
cp node_modules/exifr/dist/lite.umd.js "$dest/exifr/"
