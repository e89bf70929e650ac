"""The service worker (``/sw.js``): ``static/sw.js`` with Workbox's precache manifest.

Workbox's build tools inject the list of files to precache, each with a revision, in place
of ``self.__WB_MANIFEST``; the server does the same here, from the files it serves, so the
list can never miss a file the page loads and a changed file changes the worker (the browser
then installs the new one). Not precached: Swagger UI (API docs are for desks, not tablets),
Workbox itself (the browser keeps a worker's imported scripts with it) and the worker.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from webmap import assets

NOT_PRECACHED = ("vendor/swagger-ui/", "vendor/workbox/", "sw.js", "vendor/.installed")
MANIFEST_MARKER = "self.__WB_MANIFEST"


def precache_entries(static_dir: Path) -> list[dict[str, str]]:
    """``{url, revision}`` for each static file the page may load (revision: content hash)."""
    entries = []
    for path in sorted(p for p in static_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(static_dir).as_posix()
        if relative.startswith(NOT_PRECACHED) or relative.endswith(".map"):
            continue
        revision = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        entries.append({"url": f"{assets.STATIC}/{relative}", "revision": revision})
    return entries


@lru_cache(maxsize=4)
def service_worker(static_dir: Path) -> str:
    """The worker's source with its precache manifest (built once per process)."""
    source = (static_dir / "sw.js").read_text(encoding="utf-8")
    if source.count(MANIFEST_MARKER) != 1:
        raise RuntimeError("sw.js must name self.__WB_MANIFEST exactly once")
    return source.replace(MANIFEST_MARKER, json.dumps(precache_entries(static_dir)))
