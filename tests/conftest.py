"""Test harness: a throwaway PostGIS cluster the session starts itself.

It lives in a temporary directory on a free port and never touches a user's database:
DATABASE_URL from the environment is ignored (settings are built with ``_env_file=None``
and ``database_url=None``).
"""

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from layers import migrate
from layers.cluster import EmbeddedCluster
from layers.db import make_engine
from layers.settings import Settings


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
