"""One loader and one convention for packaged SQL: every ``layers/sql/*.sql`` binds values as
``:name`` (never psycopg's ``%(name)s``, never ``:name::type``), and SQLAlchemy and the
psycopg form of a statement agree on its parameters."""

import re
from importlib.resources import files

import pytest
from psycopg import sql
from sqlalchemy import Engine, text

from layers.sql import composed, parameters, query, template

NAMES = sorted(
    p.name.removesuffix(".sql") for p in files("layers.sql").iterdir() if p.name.endswith(".sql")
)
IDENTIFIER = re.compile(r"\{(\w+)\}")


def test_the_loaders_statements_live_with_the_others():
    assert not files("etl").joinpath("sql").is_dir()
    assert {"load_merge_insert", "load_record_load", "overlap", "sections_list"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_one_placeholder_style(name):
    statement = template(name)
    assert not re.search(r"%\(\w+\)s", statement), "values are bound as :name"
    assert not re.search(r"(?<![:\w]):\w+::", statement), "cast a parameter with CAST(:x AS t)"
    # SQLAlchemy reads the same parameters as the package's own reader.
    assert sorted(query(name).compile().params) == sorted(set(parameters(statement)))


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("load_")])
def test_psycopg_form_binds_the_same_parameters(name):
    statement = template(name)
    parts = {p: sql.Identifier("x") for p in IDENTIFIER.findall(statement)}
    rendered = composed(name, **parts).as_string(None)
    assert sorted(set(re.findall(r"%\((\w+)\)s", rendered))) == sorted(set(parameters(statement)))
    assert "{" not in rendered


def test_conversion_leaves_casts_literals_and_percent_alone():
    from layers.sql import _PARAMETER

    converted = _PARAMETER.sub(r"%(\1)s", "SELECT x::text, CAST(:a AS int), '12:30' WHERE y = :b_1")
    assert converted == "SELECT x::text, CAST(%(a)s AS int), '12:30' WHERE y = %(b_1)s"


def test_psycopg_form_runs(engine: Engine):
    """A converted statement runs on a real psycopg cursor with its values bound."""
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        exists = cursor.execute(composed("load_table_exists"), {"table": "sections"}).fetchone()
        missing = cursor.execute(composed("load_table_exists"), {"table": "nope"}).fetchone()
        assert exists == (True,) and missing == (False,)
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
