#!/usr/bin/env bash
# Install the map's browser assets from the npm registry (package-lock.json pins them) and copy
# exactly the files the page loads (webmap/assets.py) into webmap/static/vendor/, which the app
# serves. Nothing else is copied: no docs pages, nothing that could point at another host.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
dest=webmap/static/vendor
rm -rf "$dest" && mkdir -p "$dest"/{leaflet,leaflet-draw,leaflet.vectorgrid,bootstrap/css}
cp -r node_modules/leaflet/dist/{leaflet.js,leaflet.css,images} "$dest/leaflet/"
cp -r node_modules/leaflet-draw/dist/{leaflet.draw.js,leaflet.draw.css,images} "$dest/leaflet-draw/"
cp node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js "$dest/leaflet.vectorgrid/"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap/css/"
