"""Migrations upgrade an empty database, downgrade to nothing, and upgrade again."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from layers import migrate
from layers.registry import LAYERS


@pytest.fixture
def empty_engine(engine: Engine) -> Iterator[Engine]:
    """A fresh database with only PostGIS, in the test cluster."""
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS migration_test"))
        conn.execute(text("CREATE DATABASE migration_test"))
    fresh = create_engine(engine.url.set(database="migration_test"))
    with fresh.begin() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    yield fresh
    fresh.dispose()
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE migration_test"))
    admin.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}


def test_upgrade_downgrade_upgrade(empty_engine: Engine) -> None:
    expected = {spec.table for spec in LAYERS.values()} | {"loads", "api_tokens", "audit_log"}

    migrate.upgrade(empty_engine)
    assert expected <= _tables(empty_engine)
    assert migrate.current_revision(empty_engine) is not None

    migrate.downgrade(empty_engine, "base")
    assert _tables(empty_engine) == {"alembic_version"}
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_engine)
    assert expected <= _tables(empty_engine)


def test_every_geometry_column_is_cgcs2000_with_gist(engine: Engine) -> None:
    with engine.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT f_table_name, srid, type FROM geometry_columns WHERE f_table_schema='public'"
            )
        ).all()
        gist = {
            row[0]
            for row in conn.execute(
                text(
                    "SELECT t.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam "
                    "WHERE am.amname = 'gist'"
                )
            )
        }
    spatial = {spec.table: spec.geometry_type for spec in LAYERS.values() if spec.geometry_type}
    spatial["saved_checks"] = "MULTIPOLYGON"  # not a layer: checks saved from the map
    spatial["rasters"] = "POLYGON"  # the registered rasters' extents (not a map layer)
    spatial["catchments"] = "MULTIPOLYGON"  # sections' catchments, derived from the DEM
    spatial["inspection_records"] = "POINT"  # 巡查记录 from field tablets
    spatial["inspection_photos"] = "POINT"  # where their photos were taken (EXIF)
    assert {name: (srid, kind) for name, srid, kind in columns} == {
        table: (4490, kind) for table, kind in spatial.items()
    }
    assert set(spatial) <= gist


def test_saved_checks_move_out_of_projects_and_back(empty_engine: Engine) -> None:
    """The saved-checks migration moves the projects rows that carry a report (checks saved from the map) into
    saved_checks with their ids, leaves the register's rows, and downgrades back."""
    migrate.upgrade(empty_engine, "0006")
    square = "ST_Multi(ST_GeomFromText('POLYGON((113 31,113.01 31,113.01 31.01,113 31.01,113 31))', 4490))"
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO projects (id, name, status, submitted_by, report, geom) VALUES "
                f"(7, '保存的核查', '拟建', 'ana', '{{\"id\": 7}}', {square}), "
                f"(8, '登记项目', '已批', NULL, NULL, {square})"
            )
        )
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        saved = conn.execute(text("SELECT id, name, owner, report FROM saved_checks")).all()
        register = conn.execute(text("SELECT id, name FROM projects")).all()
        columns = {c["name"] for c in inspect(conn).get_columns("projects")}
    assert [tuple(r) for r in saved] == [(7, "保存的核查", "ana", {"id": 7})]
    assert [tuple(r) for r in register] == [(8, "登记项目")]
    assert "report" not in columns
    migrate.downgrade(empty_engine, "0006")
    with empty_engine.connect() as conn:
        back = conn.execute(text("SELECT id, report IS NOT NULL FROM projects ORDER BY id")).all()
    assert [tuple(r) for r in back] == [(7, True), (8, False)]
