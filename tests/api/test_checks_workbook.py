"""The checks workbook (底线核查表) as people read it: features by the bureau's codes and 坐落
(never database ids), figures rounded with Chinese units, statuses told apart, the as-of of
land lines. Built from a real evaluation of the land-class dataset of
tests/layers/test_checks_land.py."""

import io
import re

import pytest
from openpyxl import load_workbook
from shapely import box

from api.workbooks import CHECKS_HEADER, STATUS_FILLS, checks_workbook
from gis.compliance import STATUS_LABELS
from layers import models
from layers.checks import evaluate
from tests.layers.test_checks_land import _baseline, land, mp  # noqa: F401 (fixture)

#: Column of each heading (by name: the sheet may gain columns).
COL = {name: i for i, name in enumerate(CHECKS_HEADER)}
EVIDENCE, AS_OF = COL["依据（编码 名称 坐落）"], COL["数据时点"]


@pytest.fixture
def table(land, settings):  # noqa: F811
    # The API package's own district (T-421303) is loaded in this database: the list's
    # district must be there too, or the list does not fit the data.
    land.add(models.District(code="D", name="测试区", geom=mp(box(113.0, 31.0, 113.2, 31.1))))
    land.flush()
    results = [
        r.to_dict() for r in evaluate(land.connection(), _baseline(), settings, None, "2025")
    ]
    sheet = load_workbook(io.BytesIO(checks_workbook("测试清单", "2025", results)))["底线核查"]
    rows = list(sheet.iter_rows())
    header = [tuple(c.value for c in row) for row in rows].index(CHECKS_HEADER)
    body = rows[header + 1 :]
    assert len(body) == len(results)
    return {(row[0].value, row[1].value): row for row in body}, results


def test_parcels_are_named_by_bsm_and_location(table) -> None:
    rows, _ = table
    occupation = rows[("甲片区", "永久基本农田占用")]
    evidence = occupation[EVIDENCE].value
    assert "地类图斑 T6 农村宅基地（坐落 甲村" in evidence
    assert "永久基本农田 421303JB0001（坐落 甲镇）" in evidence
    nonfood = rows[("甲片区", "永久基本农田非粮化")][EVIDENCE].value
    assert {"T4", "T5", "T7"} <= set(re.findall(r"地类图斑 (T\d)", nonfood))
    for row in rows.values():
        assert not re.search(r"[a-z_]+#\d+", row[EVIDENCE].value or ""), row[EVIDENCE].value


def test_units_rounding_statuses_and_as_of(table) -> None:
    rows, results = table
    occupation = rows[("甲片区", "永久基本农田占用")]
    assert occupation[COL["单位"]].value == "亩"
    assert occupation[COL["实测"]].number_format == "#,##0.00"
    measured = next(
        r["measured"]
        for r in results
        if r["unit"] == "甲片区" and (r["line"], r["part"]) == ("occupation:basic_farmland", None)
    )
    assert occupation[COL["实测"]].value == round(measured, 2)
    review = rows[("甲片区", "生态保护红线占用")]
    assert review[COL["结论"]].value == STATUS_LABELS["review"] == "需核实"
    assert review[COL["结论"]].fill.start_color.rgb.endswith(STATUS_FILLS["review"])
    assert len(set(STATUS_FILLS.values())) == len(STATUS_LABELS)  # every status its own colour
    assert (
        rows[("甲片区", "永久基本农田面积（不少于）")][AS_OF].value
        == "永久基本农田：2023年度数据，2026-03-02 导入"
    )
