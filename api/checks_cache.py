"""A per-process cache of list evaluations (核查结果缓存).

At district scale the evaluation takes a couple of seconds (bench/bench_checks.py) and the map
asks for it on every page load and period change. Results are kept per (unit, period, list
file, data version) — the data version being the last load and the projects, one cheap query —
and expire after ``Settings.checks_cache_seconds`` (0 turns the cache off), which bounds how
long a change made outside the platform (plain SQL) can go unseen.
"""

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from layers.settings import Settings
from layers.sql import query

MAX_ENTRIES = 64

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()


def data_version(engine: Engine) -> tuple:
    with engine.connect() as conn:
        return tuple(conn.execute(query("data_version")).one())


def cached(engine: Engine, settings: Settings, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its result from an earlier call with the same key and data."""
    if settings.checks_cache_seconds <= 0:
        return compute()
    path = settings.baseline_path
    full_key = (*key, str(engine.url), str(path), path.stat().st_mtime_ns, data_version(engine))
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit and now - hit[0] < settings.checks_cache_seconds:
            _entries.move_to_end(full_key)
            return copy.deepcopy(hit[1])  # callers may change what they get
    value = compute()
    with _lock:
        _entries[full_key] = (now, value)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return copy.deepcopy(value)


def clear() -> None:
    with _lock:
        _entries.clear()
