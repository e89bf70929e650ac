"""Water-quality samples from lab sheets (CSV/XLSX, long and wide) into ``samples``."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import openpyxl
import pytest
import shapely

from etl.loader import load_file
from gis.errors import InvalidInputError
from tests.etl.loader_helpers import fingerprint, rows, token, write_shapefile


@pytest.fixture
def sections(engine, settings, tmp_path):
    """Two sections with codes and names unique to the test: {"river": (code, name), …}."""
    tok = token()
    frame = gpd.GeoDataFrame(
        {
            "DMBM": [f"R{tok}", f"L{tok}"],
            "DMMC": [f"涢水大桥{tok}", f"先觉庙库心{tok}"],
            "KZJB": ["国控", "省控断面"],
            "STLX": ["河流", "湖库"],
            "SZMB": ["Ⅲ", "II类"],
        },
        geometry=shapely.points([(113.38, 31.78), (113.30, 31.85)]),
        crs=4490,
    )
    shp = write_shapefile(frame, tmp_path / f"dm_{tok}.shp")
    report = load_file(engine, shp, "sections", settings=settings)
    assert report.loaded == 2
    stored = rows(
        engine,
        "SELECT control_level, waterbody, target_grade FROM sections WHERE source = :s ORDER BY code DESC",
        s=shp.name,
    )
    assert [tuple(r) for r in stored] == [("国控", "river", 3), ("省控", "lake", 2)]
    return {
        "river": (f"R{tok}", f"涢水大桥{tok}"),
        "lake": (f"L{tok}", f"先觉庙库心{tok}"),
        "file": (shp, frame),
    }


@pytest.fixture
def load(engine, settings):
    return lambda path, **kw: load_file(engine, path, "samples", settings=settings, **kw)


def _csv(path, lines: list[str], encoding: str = "gb18030"):
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def _stored(engine, source: str) -> dict:
    found = rows(
        engine,
        "SELECT section_code, sampled_on, indicator, value, below_dl, detection_limit "
        "FROM samples WHERE source = :s",
        s=source,
    )
    return {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in found}


def test_long_csv_in_gbk_with_below_detection_values(engine, load, sections, tmp_path):
    (river, river_name), (lake, _) = sections["river"], sections["lake"]
    path = _csv(
        tmp_path / f"long_{token()}.csv",
        [
            "断面名称,采样日期,监测项目,监测值,检出限",
            f"{river_name},2024-03-05,氨氮,0.42,",
            f"{river_name},2024/3/5,总磷（mg/L）,0.01L,",
            f"{lake},2024年3月5日,石油类,ND,0.01",
            f"{lake},2024-03,挥发酚,<0.0003,",
            f"{lake},2024-03-05,pH,7.6,",
            f"{lake},2024-03-05,溶解氧,,",
        ],
    )
    report = load(path)
    assert (report.read, report.loaded, report.dropped) == (6, 5, 1)
    assert report.encoding == "gb18030" and report.crs is None
    got = _stored(engine, path.name)
    march5, march1 = dt.date(2024, 3, 5), dt.date(2024, 3, 1)
    assert got == {
        (river, march5, "nh3n"): (0.42, False, None),
        (river, march5, "tp"): (None, True, 0.01),
        (lake, march5, "petroleum"): (None, True, 0.01),
        (lake, march1, "volatile_phenol"): (None, True, 0.0003),
        (lake, march5, "ph"): (7.6, False, None),
    }


def test_wide_xlsx_with_chinese_headers_and_reload(engine, load, sections, tmp_path):
    (river, _), (lake, lake_name) = sections["river"], sections["lake"]
    path = tmp_path / f"wide_{token()}.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "序号",
            "断面",
            "采样日期",
            "溶解氧",
            "氨氮（mg/L）",
            "TP",
            "石油类",
            "石油类检出限",
            "备注",
        ]
    )
    sheet.append([1, river, dt.datetime(2024, 1, 8), 8.1, "0.025L", 0.08, "ND", 0.01, "晴"])
    sheet.append([2, lake_name, "2024/2/6", 7.2, 0.31, None, 0.02, None, ""])
    book.save(path)

    first = load(path)
    assert (first.read, first.loaded, first.dropped) == (8, 7, 1)
    got = _stored(engine, path.name)
    assert got[(river, dt.date(2024, 1, 8), "nh3n")] == (None, True, 0.025)
    assert got[(river, dt.date(2024, 1, 8), "petroleum")] == (None, True, 0.01)
    assert got[(lake, dt.date(2024, 2, 6), "do")] == (7.2, False, None)
    again = load(path)
    assert (again.loaded, again.replaced) == (7, 7)
    assert len(_stored(engine, path.name)) == 7


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{river},2024-03-05,氨氮,0.5,", "未知断面“不存在的断面”"),
        ("{river},2024-03-05,叶绿素x,0.5,", "未知指标“叶绿素x”"),
        ("{river},2024-03-05,pH,15,", "pH 超过 14"),
        ("{river},2024-03-05,氨氮,-0.2,", "浓度不能为负"),
        ("{river},2024-03-05,氨氮,ND,", "ND/未检出 缺少检出限"),
        ("{river},2024-13-05,氨氮,0.5,", "日期无法识别"),
        ("{river},2024-03-05,氨氮,约0.5,", "监测值无法识别"),
    ],
)
def test_bad_rows_refuse_the_file_by_row_number(engine, load, sections, tmp_path, line, message):
    river = sections["river"][0]
    bad = line.format(river="不存在的断面" if "未知断面" in message else river)
    path = _csv(
        tmp_path / f"bad_{token()}.csv",
        ["断面编码,日期,指标,值,检出限", f"{river},2024-03-04,氨氮,0.3,", bad],
        encoding="utf-8",
    )
    before = [fingerprint(engine, t) for t in ("samples", "loads")]
    with pytest.raises(InvalidInputError, match=f"第 3 行：{message}"):
        load(path)
    assert [fingerprint(engine, t) for t in ("samples", "loads")] == before


def test_every_problem_is_listed_and_unknown_wide_columns_named(engine, load, sections, tmp_path):
    river = sections["river"][0]
    path = _csv(
        tmp_path / f"many_{token()}.csv",
        [
            "断面,日期,指标,值",
            f"{river},2024-03-05,pH,15",
            f"{river},2024-03-05,铅,-1",
            f"{river},2024-03-05,pH,7",
        ],
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError) as caught:
        load(path)
    assert "第 2 行：pH 超过 14" in str(caught.value) and "第 3 行：浓度不能为负" in str(
        caught.value
    )
    # A wide sheet with no GB 3838 column at all is refused, its columns named.
    wide = _csv(tmp_path / f"w_{token()}.csv", ["断面,日期,透明度X", f"{river},2024-03-05,1"])
    with pytest.raises(InvalidInputError, match=r"没有可识别的指标列.*透明度X"):
        load(wide)


def test_extra_columns_are_kept_and_table_2_items_loaded(engine, load, sections, tmp_path):
    """Issue 14: 电导率/浊度/铁/锰 columns no longer refuse the sheet."""
    river = sections["river"][0]
    path = _csv(
        tmp_path / f"x_{token()}.csv",
        [
            "断面,日期,氨氮,电导率(μS/cm),浊度,铁,锰,硝酸盐(以N计)",
            f"{river},2024-03-05,0.2,356,12.5NTU,0.05L,0.12,1.8",
            f"{river},2024-04-05,0.3,,8,0.2,0.05,",
        ],
        encoding="utf-8",
    )
    report = load(path)
    got = _stored(engine, path.name)
    march, april = dt.date(2024, 3, 5), dt.date(2024, 4, 5)
    assert got[(river, march, "fe")] == (None, True, 0.05)
    assert got[(river, march, "mn")] == (0.12, False, None)
    assert got[(river, march, "nitrate")] == (1.8, False, None)
    assert got[(river, april, "fe")] == (0.2, False, None)
    assert (report.loaded, report.dropped) == (7, 1)  # 氨氮, 铁, 锰 × 2 + 硝酸盐; a blank
    kept = rows(
        engine,
        "SELECT name, sampled_on, value FROM sample_extras WHERE source = :s ORDER BY name, sampled_on",
        s=path.name,
    )
    # Kept as written (the blank 电导率 cell of April is not a value).
    assert [tuple(r) for r in kept] == [
        ("浊度", march, "12.5NTU"),
        ("浊度", april, "8"),
        ("电导率(μS/cm)", march, "356"),
    ]
    listed = [w for w in report.warnings if "不参与评价" in w]
    assert listed and "电导率(μS/cm)、浊度" in listed[0] and "共 3 个值" in listed[0]
    assert any("表2" in w and "铁" in w and "锰" in w for w in report.warnings)
    again = load(path)
    assert again.replaced == 7
    count = rows(engine, "SELECT count(*) FROM sample_extras WHERE source = :s", s=path.name)
    assert count[0][0] == 3


def test_a_reading_loaded_from_another_file_is_refused(engine, load, sections, tmp_path):
    river = sections["river"][0]
    lines = ["断面,日期,指标,值", f"{river},2024-05-05,氨氮,0.3"]
    load(_csv(tmp_path / f"a_{token()}.csv", lines))
    before = fingerprint(engine, "samples")
    with pytest.raises(InvalidInputError, match=r"uq_samples_reading"):
        load(_csv(tmp_path / f"b_{token()}.csv", lines))
    assert fingerprint(engine, "samples") == before


def test_reloading_sections_keeps_their_samples(engine, load, settings, sections, tmp_path):
    """Sections are merged by code on reload: deleting them would cascade to their samples."""
    river, lake = sections["river"][0], sections["lake"][0]
    load(
        _csv(
            tmp_path / f"s_{token()}.csv",
            ["断面,日期,指标,值", f"{river},2024-06-05,氨氮,0.3", f"{lake},2024-06-05,总磷,0.02"],
        )
    )
    shp, frame = sections["file"]
    ids = rows(engine, "SELECT code, id FROM sections WHERE source = :s ORDER BY code", s=shp.name)
    frame.loc[0, "SZMB"] = "Ⅳ"
    write_shapefile(frame, shp)

    report = load_file(engine, shp, "sections", settings=settings)

    assert (report.replaced, report.loaded) == (2, 2)
    assert (
        rows(engine, "SELECT code, id FROM sections WHERE source = :s ORDER BY code", s=shp.name)
        == ids
    )
    assert rows(engine, "SELECT target_grade FROM sections WHERE code = :c", c=river)[0][0] == 4
    kept = rows(
        engine, "SELECT count(*) FROM samples WHERE section_code IN (:a, :b)", a=river, b=lake
    )
    assert kept[0][0] == 2

    write_shapefile(frame.iloc[:1], shp)  # the lake section is gone from the file
    before = [fingerprint(engine, t) for t in ("sections", "samples", "loads")]
    with pytest.raises(InvalidInputError, match=f"{lake}（1 条）.*samples"):
        load_file(engine, shp, "sections", settings=settings)
    assert [fingerprint(engine, t) for t in ("sections", "samples", "loads")] == before
