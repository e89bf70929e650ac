"""Every file the page loads, all served by the app itself under ``/static``.

``vendor/`` is filled from the npm packages pinned in package-lock.json by
``scripts/vendor-assets.sh``; our own scripts and styles sit next to it. Folium's defaults
point at CDNs (and pull in jQuery, Bootstrap's JS, Font Awesome and glyphicons, which the
page does not use): :func:`local_assets` replaces them all, so the page makes no request to
any other host, online or offline.
"""

STATIC = "/static"
VENDOR = f"{STATIC}/vendor"

LEAFLET_JS = f"{VENDOR}/leaflet/leaflet.js"
LEAFLET_CSS = f"{VENDOR}/leaflet/leaflet.css"
DRAW_JS = f"{VENDOR}/leaflet-draw/leaflet.draw.js"
DRAW_CSS = f"{VENDOR}/leaflet-draw/leaflet.draw.css"
VECTORGRID_JS = f"{VENDOR}/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"
BOOTSTRAP_CSS = f"{VENDOR}/bootstrap/css/bootstrap.min.css"
EXIFR_JS = f"{VENDOR}/exifr/lite.umd.js"  # EXIF time and GPS of inspection photos

# Our scripts, in load order: core first (it defines ``WS``), the features after it.
APP_JS = tuple(
    f"{STATIC}/js/{name}.js"
    for name in (
        "ws-core",
        "ws-offline",
        "ws-layers",
        "ws-chart",
        "ws-sections",
        "ws-nonfarm",
        "ws-checks",
        "ws-redline",
        "ws-areas",
        "ws-search",
        "ws-geo",
        "ws-records",
        "ws-ui",
    )
)
APP_CSS = f"{STATIC}/app.css"
# Inline, so no file (and no request for /favicon.ico, which would be a 404).
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
    "%3Ccircle cx='16' cy='16' r='15' fill='%231f78b4'/%3E"
    "%3Cpath d='M6 19c4-4 7 2 10-1s6-4 10-1v6H6z' fill='%23fff'/%3E%3C/svg%3E"
)

# (name, url) pairs in folium's JSCSSMixin form.
MAP_JS = [("leaflet", LEAFLET_JS)]
MAP_CSS = [("leaflet_css", LEAFLET_CSS), ("bootstrap_css", BOOTSTRAP_CSS)]
APP_JS_LINKS = [
    ("leaflet_draw", DRAW_JS),
    ("exifr", EXIFR_JS),
    *((url.rsplit("/", 1)[1], url) for url in APP_JS),
]
APP_CSS_LINKS = [("leaflet_draw_css", DRAW_CSS), ("app_css", APP_CSS)]


def local_assets(element, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Point a folium element's ``default_js``/``default_css`` at our own copies."""
    element.default_js = list(js)
    element.default_css = list(css)


# The installable app (manifest, icons) and its service worker (served at /sw.js).
MANIFEST = f"{STATIC}/manifest.webmanifest"
ICON_SVG = f"{STATIC}/icons/icon.svg"
ICON_192 = f"{STATIC}/icons/icon-192.png"
ICON_512 = f"{STATIC}/icons/icon-512.png"
THEME_COLOUR = "#1f78b4"
