"""Least privilege (issue 16, defect 8): the embedded cluster creates a non-superuser role
for the API; after migrations it can read and write the data but do no DDL, and audit_log
is INSERT-only for it. The API (create_app) connects with it."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import ProgrammingError

from api.main import create_app
from layers.cluster import APP_USER, EmbeddedCluster
from layers.db import app_url
from layers.settings import Settings


@pytest.fixture(scope="module")
def app_engine(cluster: EmbeddedCluster, engine: Engine, settings: Settings):
    url = app_url(settings)
    assert f"//{APP_USER}:" in url
    own = create_engine(url)
    yield own
    own.dispose()


def refused(conn, statement: str) -> bool:
    try:
        with conn.begin_nested():
            conn.execute(text(statement))
    except ProgrammingError as exc:
        return "permission denied" in str(exc.orig) or "must be owner" in str(exc.orig)
    return False


def test_the_api_role_has_no_ddl_and_cannot_change_the_audit_log(app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        role = conn.execute(
            text(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        assert tuple(role) == (False, False, False)
        conn.rollback()
        with conn.begin():
            assert refused(conn, "CREATE TABLE evil (x int)")
            assert refused(conn, "DROP TABLE farmland")
            assert refused(conn, "ALTER TABLE farmland ADD COLUMN x int")
            assert refused(conn, "CREATE INDEX ON farmland (bsm)")
            assert refused(conn, "DELETE FROM audit_log")
            assert refused(conn, "UPDATE audit_log SET actor = 'x'")
            assert refused(conn, "TRUNCATE audit_log")
            assert refused(conn, "SELECT actor FROM audit_log")
            assert refused(conn, "UPDATE alembic_version SET version_num = 'x'")
            new = conn.execute(
                text(
                    "INSERT INTO audit_log (actor, action, detail) "
                    "VALUES ('test-lp', 'probe', '{}') RETURNING id"
                )
            ).scalar_one()
            assert new > 0
            assert conn.execute(text("SELECT count(*) FROM farmland")).scalar_one() >= 0
            conn.rollback()  # the probe row is not kept


def test_the_api_serves_with_that_role(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app), app.state.engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one() == APP_USER
