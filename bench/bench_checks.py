"""Benchmark: the district-wide list evaluation vs the same measurements as raw SQL in psql.

Runs against whatever is loaded in the configured database (the embedded cluster by default):
load the full-scale dataset first (`watershed demo generate --scale full` then
`watershed demo load --dir data/shapefiles/full`). Prints both timings and their ratio.
Target (issue 4): evaluate() ≤ 1.5 × raw SQL, well under a second.

    .venv/bin/python bench/bench_checks.py [--repeat 5]
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from gis.baseline import load_baseline
from gis.compliance import parse_period
from layers.checks import evaluate, latest_period
from layers.checks.land import AS_OF_LAYERS, YEAR_FIELDS, occupation_params
from layers.db import libpq_url, make_engine
from layers.settings import get_settings

SQL_DIR = Path(__file__).resolve().parents[1] / "layers" / "sql"


def _array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


def _literal(value) -> str:
    if isinstance(value, list | tuple):
        return _array(value)
    return f"'{value}'" if isinstance(value, str) else str(value)


def raw_script(period) -> str:
    """The evaluation's statements with their parameters written in, as psql would run them."""
    # The same values the checks bind (layers.checks.land), so both sides run the same SQL.
    bound = {**occupation_params(), "layers": AS_OF_LAYERS, "year_fields": YEAR_FIELDS}
    params = {
        **{f":{k}": _literal(v) for k, v in bound.items()},
        ":start": f"DATE '{period.start}'",
        ":end": f"DATE '{period.end}'",
        ":codes": "ARRAY(SELECT code FROM sections)",
    }
    parts = [
        "SET jit = off;",  # as the platform's own connections do (layers/db.py)
        "SELECT id, code, name FROM units;",
        "SELECT code, name FROM district;",  # the list's fit (layers/baseline_fit.py)
        "SELECT code, name FROM sections;",
        "SELECT code, name FROM reservoirs;",
    ]
    for name in (
        "checks_sections",
        "checks_reservoirs",
        "checks_samples",
        "checks_areas",
        "checks_occupation",
        "checks_three_lines",
        "checks_land_as_of",
    ):
        sql = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        for key in sorted(params, key=len, reverse=True):
            sql = sql.replace(key, params[key])
        parts.append(sql.rstrip().rstrip(";") + ";")
    return "\n".join(parts)


def time_psql(url: str, script: str, repeat: int) -> list[float]:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            ["psql", url, "-X", "-q", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1", "-f", f.name],
            check=True,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = get_settings()
    engine = make_engine(settings)
    baseline = load_baseline(settings.baseline_path)
    with engine.connect() as conn:
        parcels = conn.execute(text("SELECT count(*) FROM farmland")).scalar_one()
        period = latest_period(conn) or parse_period("2025")
    evaluate(engine, baseline, settings, period=period.label)  # warm the caches once
    ours = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        evaluate(engine, baseline, settings, period=period.label)
        ours.append(time.perf_counter() - start)
    # What the API does for another unit or period on the same data: the statement rows of
    # the first evaluation are reused (api.checks_cache); only the period's samples are read.
    memo: dict = {}
    evaluate(engine, baseline, settings, period=period.label, memo=memo)
    other = str(period.start.year - 1)
    again = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        evaluate(engine, baseline, settings, period=other, memo=memo)
        again.append(time.perf_counter() - start)
        memo = {k: v for k, v in memo.items() if k[0] != "checks_samples"}  # period read afresh
    raw = time_psql(libpq_url(settings), raw_script(period), args.repeat)
    a, b = statistics.median(ours), statistics.median(raw)
    print(f"地类图斑 {parcels:,} 个，时段 {period.label}，各 {args.repeat} 次取中位数")
    print(f"{'方式':<28}{'秒':>10}{'倍数':>8}")
    print(f"{'raw SQL in psql':<28}{b:>10.3f}{1:>8.2f}")
    print(f"{'layers.checks.evaluate()':<28}{a:>10.3f}{a / b:>8.2f}")
    c = statistics.median(again)
    print(f"{'another period, same data':<28}{c:>10.3f}{c / b:>8.2f}")
    print("another period: the API's case after the first evaluation on the same data (the")
    print("statement rows kept per data version; the period's samples read each time)")
    engine.dispose()


if __name__ == "__main__":
    main()
