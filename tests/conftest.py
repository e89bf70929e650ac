"""Test harness: a throwaway PostGIS cluster the session starts itself.

It lives in a temporary directory on a free port and never touches a user's database:
DATABASE_URL from the environment is ignored (settings are built with ``_env_file=None``
and ``database_url=None``).
"""

import json
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from layers import migrate
from layers.cluster import EmbeddedCluster
from layers.db import make_engine
from layers.settings import REPO_ROOT, Settings

DEMO_DIR = REPO_ROOT / "data" / "shapefiles"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def var_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="watershed-test-"))
    path.chmod(0o755)  # the server account must be able to enter it when we run as root
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(var_dir: Path) -> Settings:
    # No background warm-up of the checks: tests count evaluations and statements;
    # tests/api/test_checks_cache.py turns it on where it is what is tested.
    return Settings(
        _env_file=None, database_url=None, var_dir=var_dir, pg_port=free_port(), warm_checks=False
    )


@pytest.fixture(scope="session")
def cluster(settings: Settings) -> Iterator[EmbeddedCluster]:
    cluster = EmbeddedCluster(base=settings.var_dir / "pg", port=settings.pg_port)
    cluster.up()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def engine(cluster: EmbeddedCluster, settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever it committed."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


def fresh_database(engine: Engine, settings: Settings, name: str) -> tuple[Engine, Settings]:
    """A new, migrated database ``name`` in the test cluster, for tests that need rows of
    their own committed and counted exactly (no other test's data in sight)."""
    with create_engine(
        engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
    ).connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    own_settings = settings.model_copy(update={"database_url": url})
    own = make_engine(own_settings)
    with own.begin() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    migrate.upgrade(own)
    return own, own_settings


@pytest.fixture(scope="session")
def demo_database(engine: Engine, settings: Settings) -> Iterator[tuple[Engine, Settings]]:
    """The committed demonstration dataset (data/shapefiles/), loaded through the real loader."""
    from etl.demo.load import load_demo

    demo, demo_settings = fresh_database(engine, settings, "demo")
    load_demo(demo, DEMO_DIR, actor="test")
    yield demo, demo_settings
    demo.dispose()


@pytest.fixture(scope="session")
def demo_engine(demo_database: tuple[Engine, Settings]) -> Engine:
    return demo_database[0]


@pytest.fixture(scope="session")
def demo_settings(demo_database: tuple[Engine, Settings]) -> Settings:
    return demo_database[1]


def demo_figures() -> dict:
    """The machine-readable expected figures of data/shapefiles/README.md."""
    text_ = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    block = text_.split("```json", 1)[1].split("```", 1)[0]
    return json.loads(block)
