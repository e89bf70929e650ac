#!/usr/bin/env bash
# Install the map's browser assets from the npm registry (package-lock.json pins them) and copy
# the files the page loads into webmap/static/vendor/, which the app serves. Nothing is fetched
# by the browser from any other host, at run time or ever.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
dest=webmap/static/vendor
rm -rf "$dest" && mkdir -p "$dest"
copy() { mkdir -p "$dest/$2" && cp -r "node_modules/$1"/. "$dest/$2/"; }
copy leaflet/dist leaflet
copy leaflet-draw/dist leaflet-draw
copy leaflet.vectorgrid/dist leaflet.vectorgrid
copy leaflet.awesome-markers/dist leaflet.awesome-markers
copy jquery/dist jquery
copy bootstrap/dist bootstrap
mkdir -p "$dest/fontawesome"
cp -r node_modules/@fortawesome/fontawesome-free/css node_modules/@fortawesome/fontawesome-free/webfonts "$dest/fontawesome/"
