"""kill -9 during a load (issue 16): a `watershed load` subprocess killed while it holds the
layer's lock, and while its COPY streams, leaves the layer exactly as before — every row,
every column, and the load history — and the next load goes through (the lock went with
the dead connection). Real subprocesses on a database of their own in the test cluster."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from layers.settings import Settings
from tests.conftest import DEMO_DIR, fresh_database

WATERSHED = str(Path(sys.executable).with_name("watershed"))
FINGERPRINT = text(
    "SELECT count(*), md5(string_agg(f::text, '|' ORDER BY f.id)), "
    "(SELECT count(*) FROM loads), (SELECT max(id) FROM loads) FROM farmland f"
)
#: What the killed load is doing when it is killed, as the server sees it.
PHASES = {
    "lock": "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted",
    "copy": "SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'COPY %' AND state = 'active'",
}


@pytest.fixture(scope="module")
def loaded(engine: Engine, settings: Settings, tmp_path_factory) -> tuple[Engine, dict, Path]:
    own, own_settings = fresh_database(engine, settings, "kill9")
    folder = tmp_path_factory.mktemp("kill9")
    for part in DEMO_DIR.glob("farmland.*"):
        shutil.copy(part, folder / part.name)
    env = {**os.environ, "DATABASE_URL": own_settings.database_url}
    first = subprocess.run(
        [WATERSHED, "load", str(folder / "farmland.shp"), "--layer", "farmland"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    return own, env, folder / "farmland.shp"


def wait_until(engine: Engine, sql: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        while conn.execute(text(sql)).first() is None:
            if process.poll() is not None:
                pytest.fail(f"the load ended (exit {process.returncode}) before the phase")
            assert time.monotonic() < deadline, f"phase not reached: {sql}"
            time.sleep(0.005)


@pytest.mark.parametrize("phase", list(PHASES))
def test_kill_9_leaves_the_layer_exactly_as_before(loaded, phase: str) -> None:
    engine, env, shp = loaded
    with engine.connect() as conn:
        before = tuple(conn.execute(FINGERPRINT).one())
    assert before[0] == 13_522  # the demo's parcels (data/shapefiles/README.md)

    process = subprocess.Popen(
        [WATERSHED, "load", str(shp), "--layer", "farmland"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(engine, PHASES[phase], process)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL

    # The server notices the dead client, rolls back and releases the lock.
    deadline = time.monotonic() + 30
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        while conn.execute(text(PHASES["lock"])).first() is not None:
            assert time.monotonic() < deadline, "the killed load's lock was never released"
            time.sleep(0.05)
        after = tuple(conn.execute(FINGERPRINT).one())
    assert after == before

    again = subprocess.run(
        [WATERSHED, "load", str(shp), "--layer", "farmland"], env=env, capture_output=True
    )
    assert again.returncode == 0, again.stderr
    with engine.connect() as conn:
        count, _, loads, _ = conn.execute(FINGERPRINT).one()
    assert (count, loads) == (before[0], before[2] + 1)
