"""`watershed db dump` / `watershed db restore` as an operator runs them (real subprocesses),
on the demonstration database of the test cluster: a restore into a fresh database gives the
same checks, and a restore over a database holding data refuses without ``--force``."""

import dataclasses
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from gis.baseline import load_baseline
from layers.checks import evaluate
from layers.db import make_engine
from layers.settings import Settings

WATERSHED = str(Path(sys.executable).with_name("watershed"))


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([WATERSHED, "db", *args], env=env, capture_output=True, text=True)


def libpq(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def empty_database(engine: Engine, name: str) -> Engine:
    """A database with PostGIS and nothing else, as `watershed db up` leaves a new cluster."""
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = engine.url.set(database=name)
    with create_engine(url).begin() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    return create_engine(url)


def same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-12 relative: sums of areas differ in the last bits with the rows'
    order on disk (147549506.99999994 vs 147549507.00000033 m²)."""
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _key(row: dict) -> tuple:
    return row["unit_code"], row["line"], row["subject"]


def checks(engine: Engine, settings: Settings) -> list[dict]:
    baseline = load_baseline(settings.baseline_path)
    results = evaluate(engine, baseline, settings, period="2025")
    assert len(results) >= 40  # every line of the list for each unit
    return sorted((dataclasses.asdict(r) for r in results), key=lambda r: repr(_key(r)))


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ).scalars()
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def test_dump_restore_into_a_fresh_database_gives_identical_checks(
    demo_engine: Engine, demo_settings: Settings, tmp_path: Path
) -> None:
    backup = tmp_path / "watershed.dump"
    done = run(libpq(demo_engine), "dump", str(backup))
    assert done.returncode == 0, done.stderr
    assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not list(tmp_path.glob("*.partial"))

    target = empty_database(demo_engine, "restored")
    try:
        restored = run(libpq(target), "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert counts(target) == counts(demo_engine)
        assert counts(target)["farmland"] > 0
        with target.connect() as conn:  # the API's roles have their grants back
            granted = "SELECT has_table_privilege('watershed_app', 'farmland', 'SELECT')"
            assert conn.execute(text(granted)).scalar_one()
            # /ogc's read-only role reads the layers again, and still nothing else.
            ogc = "SELECT has_table_privilege('watershed_ogc', :t, 'SELECT')"
            assert conn.execute(text(ogc), {"t": "farmland"}).scalar_one()
            assert not conn.execute(text(ogc), {"t": "api_tokens"}).scalar_one()
        target_settings = demo_settings.model_copy(
            update={"database_url": target.url.render_as_string(hide_password=False)}
        )
        own = make_engine(target_settings)
        try:
            assert same(checks(own, target_settings), checks(demo_engine, demo_settings))
        finally:
            own.dispose()

        # The database now holds data: a second restore refuses and changes nothing …
        with target.begin() as conn:
            conn.execute(text("DELETE FROM rivers"))
        rivers = counts(target)["rivers"]
        assert rivers == 0
        refused = run(libpq(target), "restore", str(backup))
        assert refused.returncode == 1
        assert "不是空的" in refused.stderr and "--force" in refused.stderr
        assert counts(target)["rivers"] == 0
        # … and with --force it replaces what is there by the backup.
        forced = run(libpq(target), "restore", "--force", str(backup))
        assert forced.returncode == 0, forced.stderr
        assert counts(target) == counts(demo_engine)
    finally:
        target.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(demo_engine: Engine, tmp_path: Path) -> None:
    target = empty_database(demo_engine, "restore_garbage")
    try:
        junk = tmp_path / "not-a-dump.dump"
        junk.write_bytes(b"PK\x03\x04 certainly not pg_dump")
        refused = run(libpq(target), "restore", str(junk))
        assert refused.returncode == 1
        assert "pg_restore 失败" in refused.stderr
        assert counts(target) == {"spatial_ref_sys": counts(target)["spatial_ref_sys"]}
        missing = run(libpq(target), "restore", str(tmp_path / "none.dump"))
        assert missing.returncode == 1 and "找不到备份文件" in missing.stderr
    finally:
        target.dispose()
