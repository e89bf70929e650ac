"""A per-process cache of list evaluations (核查结果缓存).

At district scale the evaluation takes a couple of seconds (bench/bench_checks.py) and the map
asks for it on every page load, unit and period change. Two levels, both per data version (the
last load and the projects that count as occupation, one cheap query: a saved what-if, 拟建,
changes neither) and list file, both expiring after
``Settings.checks_cache_seconds`` (0 turns caching off), which bounds how long a change made
outside the platform (plain SQL) can go unseen:

* whole evaluations, per (unit, period) — one at a time per key: a request for an evaluation
  already under way (the start-up warm-up, another user) waits for it instead of repeating it;
* the rows of each statement the evaluation ran (:meth:`layers.checks.context.CheckContext.fetch`),
  shared by every unit and period: the land statements, nearly all of the time, take no
  period, so another unit or period only runs the water statements of that period.

During a database outage the last evaluation of each key is served read-only, whatever its
age, with ``stale`` saying when it was computed (:func:`last_known`); a key never evaluated
answers 503 like every other route.
"""

import copy
import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from gis.compliance import OCCUPYING_STATUSES
from layers.checks import Memo
from layers.settings import Settings
from layers.sql import query

MAX_ENTRIES = 64
MAX_MEMOS = 4  # data versions whose statement rows are kept

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
_memos: OrderedDict[tuple, tuple[float, Memo]] = OrderedDict()
_running: dict[tuple, threading.Event] = {}  # evaluations under way, by key
# The latest value of each key (without the data part) and when it was computed: served
# only while the database cannot be reached.
_last: OrderedDict[tuple, tuple[dt.datetime, Any]] = OrderedDict()

STALE_NOTE = (
    "数据库暂时不可用：以下为 {at} 计算的核查结果，只读 (database unavailable: cached result)"
)


def data_version(engine: Engine) -> tuple:
    with engine.connect() as conn:
        params = {"occupying_statuses": list(OCCUPYING_STATUSES)}
        return tuple(conn.execute(query("data_version"), params).one())


def cached(
    engine: Engine,
    settings: Settings,
    key: tuple,
    compute: Callable[[Memo | None], Any],
    list_path: Path | None = None,
) -> Any:
    """``compute(memo)``, or its result from an earlier call with the same key, list file and
    data; ``memo`` holds the statement rows already computed on these data (None: caching is
    off). The rows do not depend on the list, so every list shares them."""
    if settings.checks_cache_seconds <= 0:
        return compute(None)
    path = list_path or settings.baseline_path
    try:
        version = data_version(engine)
    except Exception as exc:
        from api.errors import is_outage  # the API's notion of an outage; no cycle at import

        if not is_outage(exc):
            raise
        return last_known((str(engine.url), str(path), *key), exc)
    rows_key = (str(engine.url), version)
    full_key = (*key, str(path), path.stat().st_mtime_ns, *rows_key)
    while True:
        now = time.monotonic()
        with _lock:
            hit = _fresh(_entries, full_key, now, settings)
            if hit is not None:
                return copy.deepcopy(hit)  # callers may change what they get
            running = _running.get(full_key)
            if running is None:  # ours to compute
                running = _running[full_key] = threading.Event()
                memo = _fresh(_memos, rows_key, now, settings)
                if memo is None:
                    memo = {}
                    _store(_memos, rows_key, (now, memo), MAX_MEMOS)
                break
        running.wait()  # the same evaluation is under way (a warm-up, another user): take it
    try:
        value = compute(memo)
        with _lock:
            _store(_entries, full_key, (now, value), MAX_ENTRIES)
            _store(
                _last,
                (str(engine.url), str(path), *key),
                (dt.datetime.now(dt.UTC), value),
                MAX_ENTRIES,
            )
    finally:
        with _lock:
            del _running[full_key]
        running.set()  # waiters look again: a result, or (after a failure) their own turn
    return copy.deepcopy(value)


def last_known(key: tuple, error: Exception) -> Any:
    """The last value computed for ``key`` (a copy), marked ``stale`` when it is a mapping;
    ``error`` again when there is none."""
    with _lock:
        hit = _last.get(key)
    if hit is None:
        raise error
    at, value = hit
    value = copy.deepcopy(value)
    if isinstance(value, dict):
        local = at.astimezone(dt.timezone(dt.timedelta(hours=8)))  # Beijing time for people
        value["stale"] = {
            "computed_at": at.isoformat(timespec="seconds"),
            "note": STALE_NOTE.format(at=local.strftime("%Y-%m-%d %H:%M")),
        }
    return value


def _fresh(entries: OrderedDict, key: tuple, now: float, settings: Settings) -> Any:
    hit = entries.get(key)
    if hit is None or now - hit[0] >= settings.checks_cache_seconds:
        return None
    entries.move_to_end(key)
    return hit[1]


def _store(entries: OrderedDict, key: tuple, value: tuple, limit: int) -> None:
    entries[key] = value
    entries.move_to_end(key)
    while len(entries) > limit:
        entries.popitem(last=False)


def clear() -> None:
    with _lock:
        _entries.clear()
        _memos.clear()
        _last.clear()
