"""One writer per layer (issue 16, defect 2): two loads of the same file started together
end with the file's rows once, never twice; on a keyed layer neither fails; the second says
which load it replaced and that the file was the same.

Its own database, so the counts are exact; the demo's rivers (13, no unique key) and
reservoirs (unique code) are loaded from two threads released by one barrier.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from etl.loader import load_file
from tests.conftest import DEMO_DIR, fresh_database

ROUNDS = 5


@pytest.fixture(scope="module")
def own(engine, settings) -> Iterator[tuple]:
    database, own_settings = fresh_database(engine, settings, "concurrent_loads")
    yield database, own_settings
    database.dispose()


def _count(engine, table: str, source: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(f"SELECT count(*) FROM {table} WHERE source = :s"), {"s": source}
        ).scalar_one()


def _together(engine, settings, path, layer: str) -> list:
    """Two loads of ``path`` released at the same instant; their reports or errors."""
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = load_file(engine, path, layer, settings=settings, actor=f"t{i}")
        except Exception as exc:  # the test reports any failure below
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _demo(tmp_path, stem: str):
    for part in DEMO_DIR.glob(f"{stem}.*"):
        shutil.copy(part, tmp_path / part.name)
    return tmp_path / f"{stem}.shp"


def _dbf_records(shp) -> int:
    return int.from_bytes(shp.with_suffix(".dbf").read_bytes()[4:8], "little")


@pytest.mark.parametrize("stem,table", [("rivers", "rivers"), ("reservoirs", "reservoirs")])
def test_two_simultaneous_loads_of_one_file_leave_it_loaded_once(own, tmp_path, stem, table):
    engine, settings = own
    shp = _demo(tmp_path, stem)
    expected = _dbf_records(shp)
    assert expected > 0 and (stem != "rivers" or expected == 13)
    for round_ in range(ROUNDS):
        outcomes = _together(engine, settings, shp, table)
        failures = [o for o in outcomes if isinstance(o, Exception)]
        assert failures == [], f"round {round_}: {failures}"  # no "另一来源" clash on keys
        assert _count(engine, table, shp.name) == expected, f"round {round_}"
        first, second = sorted(outcomes, key=lambda r: r.load_id)
        assert second.previous_load["id"] == first.load_id  # serialised: it saw the first
        assert second.replaced == expected and second.same_file
        assert any(f"第 {first.load_id} 次导入" in n for n in second.notes)
        assert any("完全相同" in n for n in second.notes)


def test_a_changed_file_is_not_called_identical(own, tmp_path):
    engine, settings = own
    shp = _demo(tmp_path, "rivers")
    load_file(engine, shp, "rivers", settings=settings)
    dbf = shp.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[-2] = ord("x") if raw[-2] != ord("x") else ord("y")  # one byte of the last record
    dbf.write_bytes(bytes(raw))
    report = load_file(engine, shp, "rivers", settings=settings)
    assert report.previous_load is not None and not report.same_file
    assert not any("完全相同" in n for n in report.notes)
    assert report.replaced == 13 and _count(engine, "rivers", shp.name) == 13


def test_a_first_load_replaces_nothing_and_says_nothing(own, tmp_path):
    engine, settings = own
    shp = _demo(tmp_path, "projects")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM projects WHERE source = :s"), {"s": shp.name})
        conn.execute(text("DELETE FROM loads WHERE source = :s"), {"s": shp.name})
    report = load_file(engine, shp, "projects", settings=settings)
    assert report.previous_load is None and report.notes == [] and report.replaced == 0


def test_a_unique_clash_names_who_holds_the_value(own, tmp_path):
    """A key held by another source file names that file (a key repeated inside one file is
    refused earlier, by the attribute checks)."""
    from gis.errors import InvalidInputError
    from tests.etl.loader_helpers import farmland_frame, parcels, token, write_shapefile

    engine, settings = own
    prefix = f"UQ{token()}"
    first = write_shapefile(farmland_frame(prefix, parcels(3)), tmp_path / "first.shp")
    load_file(engine, first, "farmland", settings=settings)
    clash = farmland_frame(prefix, parcels(2))  # BSM {prefix}0000 and 0001 again
    other = write_shapefile(clash, tmp_path / "other.shp")
    with pytest.raises(InvalidInputError) as caught:
        load_file(engine, other, "farmland", settings=settings)
    assert "来源文件 first.shp" in str(caught.value)
