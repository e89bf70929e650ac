"""Project status (项目状态) from a bureau's file: the words a register uses, approval fields,
and a file without a status loading as 拟建 with a warning that it is not occupation."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest

from etl.loader import load_file
from gis.errors import InvalidInputError
from tests.etl.loader_helpers import parcels, rows, token, write_shapefile


@pytest.fixture
def load(engine, settings):
    def run(path, layer, **kwargs):
        return load_file(engine, path, layer, settings=settings, **kwargs)

    return run


def _frame(prefix: str, **columns) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values()))) if columns else 3
    names = {"XMMC": [f"{prefix}项目{i}" for i in range(n)]}
    return gpd.GeoDataFrame({**names, **columns}, geometry=parcels(n), crs=4490)


def _loaded(engine, source: str) -> list[tuple]:
    return rows(
        engine,
        "SELECT status, approval_no, approved_on, extra FROM projects WHERE source = :s ORDER BY id",
        s=source,
    )


def test_status_words_and_approval_fields_are_normalised(engine, load, tmp_path):
    prefix = token()
    frame = _frame(
        prefix,
        XMZT=["已批准", "施工中", "竣工", "拟建"],
        PZWH=["鄂政土批〔2024〕12号", "随政土批〔2023〕5号", "鄂政土批〔2019〕88号", None],
        PZRQ=["2024-03-05", "2023/6/1", "2019年9月30日", None],
    )
    shp = write_shapefile(frame, tmp_path / f"xm_{prefix}.shp")
    report = load(shp, "projects")
    assert report.loaded == 4
    assert not any("拟建" in w for w in report.warnings)
    got = _loaded(engine, shp.name)
    assert [(r[0], r[1], r[2]) for r in got] == [
        ("已批", "鄂政土批〔2024〕12号", dt.date(2024, 3, 5)),
        ("在建", "随政土批〔2023〕5号", dt.date(2023, 6, 1)),
        ("已建", "鄂政土批〔2019〕88号", dt.date(2019, 9, 30)),
        ("拟建", None, None),
    ]
    # the bureau's own wording is kept beside the normalised status
    assert got[0][3]["XMZT"] == "已批准"


def test_chinese_headers_are_accepted(engine, load, tmp_path):
    prefix = token()
    frame = _frame(prefix, 项目状态=["批复", "在建"], 批准文号=["甲", "乙"])
    shp = write_shapefile(frame, tmp_path / f"xm_{prefix}.shp")
    load(shp, "projects")
    assert [(r[0], r[1]) for r in _loaded(engine, shp.name)] == [("已批", "甲"), ("在建", "乙")]


def test_file_without_status_loads_as_proposed_with_a_warning(engine, load, tmp_path):
    prefix = token()
    shp = write_shapefile(_frame(prefix, XMLX=["工业", "能源"]), tmp_path / f"xm_{prefix}.shp")
    report = load(shp, "projects")
    assert [r[0] for r in _loaded(engine, shp.name)] == ["拟建", "拟建"]
    (warning,) = [w for w in report.warnings if "按 拟建 导入" in w]
    assert "不计入底线清单" in warning and "XMZT" in warning


def test_blank_statuses_load_as_proposed_and_are_counted_in_the_warning(engine, load, tmp_path):
    prefix = token()
    shp = write_shapefile(_frame(prefix, XMZT=["在建", None, ""]), tmp_path / f"xm_{prefix}.shp")
    report = load(shp, "projects")
    assert [r[0] for r in _loaded(engine, shp.name)] == ["在建", "拟建", "拟建"]
    (warning,) = [w for w in report.warnings if "按 拟建 导入" in w]
    assert "XMZT 有 2 个要素为空" in warning


def test_unknown_status_word_is_refused_naming_the_feature(engine, load, tmp_path):
    prefix = token()
    shp = write_shapefile(_frame(prefix, XMZT=["已批", "暂停"]), tmp_path / f"xm_{prefix}.shp")
    with pytest.raises(InvalidInputError, match=r"XMZT.*第 2 个要素（'暂停'）"):
        load(shp, "projects")
    assert _loaded(engine, shp.name) == []


def test_demo_projects_carry_the_statuses_its_readme_gives(demo_engine):
    """The planted occupations hold because the park is 已批 and the wind farm 在建."""
    got = dict(rows(demo_engine, "SELECT name, status FROM projects"))
    assert got == {
        "曾都区冷链物流园建设项目": "已批",
        "曾都区西部山地风电场项目": "在建",
        "曾都经济开发区汽车零部件产业园项目": "拟建",
        "曾都区城区污水处理厂提标扩建工程": "已建",
    }
