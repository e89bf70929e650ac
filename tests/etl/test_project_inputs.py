"""界址点 TXT (部标格式) and DXF project files: the well-formed ones give the plots they were
written from, in the right CRS; the pitfalls (zone only in the header, GBK, swapped columns,
holes by 圈号) are handled; malformed ones are refused with what is wrong and where."""

import pytest
import shapely

from etl.archive import ArchiveLimits
from etl.boundary_txt import parse_boundary_txt, read_boundary_txt
from etl.dxf import read_dxf
from etl.project_files import read_project_file
from gis.errors import CrsError, InvalidInputError
from tests.etl.project_inputs import FOLDER, PLOTS, ZONE, expected_plot_gk

NAMES = [name for name, _, _ in PLOTS]
LIMITS = ArchiveLimits(10**8, 10**8)


def _same(geom: shapely.Geometry, expected: shapely.Geometry, shift: float = 0.0) -> None:
    expected = shapely.affinity.translate(expected, xoff=-shift)
    assert geom.is_valid
    assert geom.symmetric_difference(expected).area < 1e-3  # m², float noise of 38e6 offsets
    assert geom.area == pytest.approx(expected.area, abs=1e-3)


def test_three_plots_with_the_zone_in_y() -> None:
    found = read_boundary_txt(FOLDER / "three_plots.txt")
    assert found.epsg == 4526  # CGCS2000 3-degree zone 38, zone number in the easting
    assert [name for name, _ in found.plots] == NAMES
    for i, (_, geom) in enumerate(found.plots):
        _same(geom, expected_plot_gk(i))
    # 圈号 2 of 一号地块 lies inside 圈号 1: a hole, not a second part
    first = found.plots[0][1]
    assert first.geom_type == "Polygon" and len(first.interiors) == 1
    assert "Y 坐标含带号" in found.notes[0]


def test_zone_only_in_the_header_and_gbk_text() -> None:
    found = read_boundary_txt(FOLDER / "zone_in_header_only_gbk.txt")
    assert found.epsg == 4547  # zone 38 without the zone number: CM 114°E
    assert [name for name, _ in found.plots] == NAMES
    for i, (_, geom) in enumerate(found.plots):
        _same(geom, expected_plot_gk(i), shift=ZONE * 1_000_000)
    assert "文件头带号" in found.notes[0]


def test_swapped_columns_are_recognised_and_said() -> None:
    found = read_boundary_txt(FOLDER / "swapped_columns.txt")
    assert found.epsg == 4526
    _same(found.plots[1][1], expected_plot_gk(1))
    assert any("X、Y 列与部标格式相反" in note for note in found.notes)


def test_separate_rings_of_a_plot_are_parts_and_a_closing_point_is_optional() -> None:
    text = "\n".join(
        [
            "[属性描述]",
            "带号=38",
            "[地块坐标]",
            "8,,,两块地,面,@",
            "J1,1,2711000,38500000",
            "J2,1,2711100,38500000",
            "J3,1,2711100,38500100",
            "J4,2,2712000,38500000",
            "J5,2,2712100,38500000",
            "J6,2,2712100,38500100",
            "J4,2,2712000,38500000",
        ]
    )
    found = parse_boundary_txt(text)
    ((name, geom),) = found.plots
    assert name == "两块地"
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert geom.area == pytest.approx(2 * 100 * 100 / 2)


@pytest.mark.parametrize(
    ("file", "error", "words"),
    [
        ("malformed_coordinate.txt", InvalidInputError, ("第 15 行", "不是数值")),
        ("malformed_zone_mismatch.txt", CrsError, ("带号为 37", "带号为 38")),
        ("malformed_no_zone.txt", CrsError, ("--crs 4526",)),
        ("malformed_no_plot_line.txt", InvalidInputError, ("第 12 行", "@")),
    ],
)
def test_malformed_txt_is_refused_with_what_and_where(file, error, words) -> None:
    with pytest.raises(error) as caught:
        read_boundary_txt(FOLDER / file)
    text = str(caught.value)
    for word in words:
        assert word in text, text


def test_the_users_crs_wins_over_a_missing_zone() -> None:
    found = read_boundary_txt(FOLDER / "malformed_no_zone.txt", crs=4547)
    assert found.epsg == 4547
    _same(found.plots[2][1], expected_plot_gk(2), shift=ZONE * 1_000_000)


def test_other_txt_mistakes() -> None:
    base = "[属性描述]\n带号=38\n[地块坐标]\n"
    with pytest.raises(InvalidInputError, match="构不成面"):
        parse_boundary_txt(base + "2,,,a,面,@\nJ1,1,2711000,38500000\nJ2,1,2711100,38500000\n")
    with pytest.raises(InvalidInputError, match="必须是面"):
        parse_boundary_txt(base + "2,,,a,线,@\nJ1,1,2711000,38500000\n")
    with pytest.raises(CrsError, match="只接受 2000"):
        parse_boundary_txt("[属性描述]\n坐标系=1980西安坐标系\n[地块坐标]\n3,,,a,面,@\nJ1,1,1,1\n")
    with pytest.raises(InvalidInputError, match="没有"):
        parse_boundary_txt("just text\n")


def test_dxf_closed_polylines_become_named_plots_with_holes() -> None:
    found = read_project_file(FOLDER / "three_plots.dxf", crs=None, limits=LIMITS)
    assert found.epsg == 4526
    assert "含带号 38" in found.notes[0]
    assert [name for name, _ in found.plots] == NAMES
    for i, (_, geom) in enumerate(found.plots):
        _same(geom, expected_plot_gk(i))
    assert any("TEXT 3 个" in note for note in found.notes)


def test_dxf_without_a_zone_needs_the_users_crs() -> None:
    with pytest.raises(CrsError) as caught:
        read_project_file(FOLDER / "no_zone.dxf", crs=None, limits=LIMITS)
    assert "--crs 4526" in str(caught.value)  # the API names its CRS menu instead
    found = read_project_file(FOLDER / "no_zone.dxf", crs=4547, limits=LIMITS)
    assert found.epsg == 4547
    _same(found.plots[1][1], expected_plot_gk(1), shift=ZONE * 1_000_000)


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("malformed_open_polylines.dxf", ("没有闭合多段线", "未闭合多段线")),
        ("malformed_not_a_dxf.dxf", ("DXF 文件无法读取",)),
    ],
)
def test_malformed_dxf_is_refused(file, words) -> None:
    with pytest.raises(InvalidInputError) as caught:
        read_dxf(FOLDER / file)
    for word in words:
        assert word in str(caught.value), str(caught.value)
