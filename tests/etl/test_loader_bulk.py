"""A whole layer reloaded in bulk: TRUNCATE, indexes dropped, COPY straight into the table,
indexes rebuilt — and a refused file leaves everything, indexes included, as it was."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

import etl.replace
from etl.loader import load_file
from gis.errors import InvalidInputError
from tests.conftest import fresh_database
from tests.etl.loader_helpers import farmland_frame, parcels, rows, token, write_shapefile


@pytest.fixture(scope="module")
def own(engine, settings) -> Iterator[Engine]:
    bulk, _ = fresh_database(engine, settings, "loader_bulk")
    yield bulk
    bulk.dispose()


def indexes(engine: Engine) -> list[str]:
    found = rows(engine, "SELECT indexdef FROM pg_indexes WHERE tablename = 'farmland' ORDER BY 1")
    return [r[0] for r in found]


def snapshot(engine: Engine) -> tuple:
    return tuple(
        rows(
            engine,
            "SELECT count(*), md5(string_agg(bsm || ST_AsEWKT(geom), ',' ORDER BY bsm)) FROM farmland",
        )[0]
    )


def test_bulk_reload_and_refusal(own: Engine, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(etl.replace, "REBUILD_INDEXES_FROM", 10)
    taken = []
    original = etl.replace.bulk_replace
    monkeypatch.setattr(
        "etl.loader.bulk_replace", lambda *a: taken.append(original(*a)) or taken[-1]
    )
    before = indexes(own)
    assert any("USING gist" in d for d in before)
    name = f"dltb_{token()}.shp"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    good = write_shapefile(farmland_frame(token(), parcels(30, 0.0002)), tmp_path / "a" / name)

    first = load_file(own, good, "farmland")
    assert (first.loaded, first.replaced) == (30, 0) and taken[-1] is not None
    again = load_file(own, good, "farmland")
    assert (again.loaded, again.replaced) == (30, 30) and taken[-1] is not None
    assert indexes(own) == before
    kept = snapshot(own)
    assert kept[0] == 30

    # Same source, a land-class code the table refuses on its 30th feature: nothing changes.
    frame = farmland_frame(token(), parcels(30, 0.0002))
    frame.loc[29, "DLBM"] = "ABCD"
    bad = write_shapefile(frame, tmp_path / "b" / name)
    with pytest.raises(InvalidInputError, match=r"ck_farmland_dlbm.*第 30 个要素"):
        load_file(own, bad, "farmland")
    assert taken[-1] is not None  # the refusal happened on the bulk path
    assert snapshot(own) == kept
    assert indexes(own) == before

    # Another source: the layer is not this file's alone, so the staging path is taken.
    other = write_shapefile(farmland_frame(token(), parcels(12, 0.0001)), tmp_path / "c.shp")
    assert load_file(own, other, "farmland").loaded == 12 and taken[-1] is None
    assert snapshot(own)[0] == 42
