"""API test harness: the app on the session's throwaway PostGIS, tokens for every role, and a
small, exactly known dataset committed for the package and removed afterwards.

The dataset sits near 114.0°E 24.5°N, away from 曾都区, so other tests' data (and the
demonstration data, when a session loads it) never overlaps it. Figures expected by the
tests come from shapely + pyproj.Geod on the constants of ``tests/api/data.py``, not from
the code under test.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from sqlalchemy import Engine, text

from api.auth import create_token
from api.main import create_app
from layers import models
from layers.db import session_scope
from layers.models.system import ROLES
from layers.registry import LAYERS
from layers.settings import Settings
from tests.api import data

SOURCE = "api-test-fixture"


def _insert(engine: Engine) -> None:
    with session_scope(engine) as session:
        for key, rows in data.LAYER_ROWS.items():
            model = LAYERS[key].model
            for row in rows:
                geom = from_shape(row["geom"], srid=4490)
                session.add(model(**{**row, "geom": geom, "source": SOURCE}))
        session.flush()
        session.add_all(models.Sample(**sample, source=SOURCE) for sample in data.SAMPLES)


def _remove(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM samples WHERE source = :s"), {"s": SOURCE})
        for table in data.LAYER_ROWS:
            conn.execute(text(f"DELETE FROM {table} WHERE source = :s"), {"s": SOURCE})
        conn.execute(text("DELETE FROM projects WHERE submitted_by LIKE 'test-%'"))
        conn.execute(text("DELETE FROM saved_checks WHERE owner LIKE 'test-%'"))
        conn.execute(text("DELETE FROM audit_log WHERE actor LIKE 'test-%'"))
        conn.execute(text("DELETE FROM api_tokens WHERE name LIKE 'test-%'"))


@pytest.fixture(scope="package")
def dataset(engine: Engine) -> Iterator[None]:
    _remove(engine)
    _insert(engine)
    yield
    _remove(engine)


@pytest.fixture(scope="package")
def tokens(engine: Engine, dataset: None) -> dict[str, str]:
    return {role: create_token(engine, role, name=f"test-{role}") for role in ROLES}


@pytest.fixture(scope="package")
def client(settings: Settings, dataset: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="package")
def viewer(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["viewer"])


@pytest.fixture(scope="package")
def admin(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["admin"])
