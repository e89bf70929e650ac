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
from sqlalchemy.engine import make_url
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
    return Settings(_env_file=None, database_url=None, var_dir=var_dir, pg_port=free_port())


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


@pytest.fixture(scope="session")
def demo_settings(settings: Settings) -> Settings:
    """Settings pointing at a second database in the test cluster, holding the demo dataset."""
    url = make_url(make_engine(settings).url.render_as_string(hide_password=False))
    return settings.model_copy(
        update={"database_url": url.set(database="demo").render_as_string(hide_password=False)}
    )


@pytest.fixture(scope="session")
def demo_engine(engine: Engine, demo_settings: Settings) -> Iterator[Engine]:
    """The committed demonstration dataset (data/shapefiles/), loaded through the real loader."""
    from etl.demo.load import load_demo

    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS demo"))
        conn.execute(text("CREATE DATABASE demo"))
    demo = make_engine(demo_settings)
    with demo.begin() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    migrate.upgrade(demo)
    load_demo(demo, DEMO_DIR, actor="test")
    yield demo
    demo.dispose()
    admin.dispose()


def demo_figures() -> dict:
    """The machine-readable expected figures of data/shapefiles/README.md."""
    text_ = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    block = text_.split("```json", 1)[1].split("```", 1)[0]
    return json.loads(block)
