"""Inputs as they come, through the API: a three-plot file gives three plot results that sum to
the total; the 界址点 TXT and the DXF give the figures of the lon/lat outlines they were written
from; malformed files are refused with their message, which names the map's CRS menu, never a
command-line flag."""

import io
import json
import zipfile

import pytest
from pyproj import Transformer
from shapely.geometry import mapping

from tests.api import data
from tests.etl.project_inputs import FOLDER, PLOTS, expected_plot_gk

RTOL = 1e-5
NAMES = [name for name, _, _ in PLOTS]
_TO_LONLAT = Transformer.from_crs(4526, 4490, always_xy=True)


def _lonlat(index: int):
    """The plot as the file holds it (zone-38 vertices to the mm), back in lon/lat (pyproj)."""
    return data.transformed(expected_plot_gk(index), _TO_LONLAT)


def _upload(client, headers, name: str, content: bytes, **params) -> dict:
    response = client.post(
        "/api/overlap", params=params, files={"file": (name, content)}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _assert_three_plots(report: dict) -> None:
    plots = report["plots"]
    assert [p["name"] for p in plots] == NAMES
    for i, plot in enumerate(plots):
        outline = _lonlat(i)
        assert plot["area_m2"] == pytest.approx(data.area_m2(outline), rel=RTOL)
        expected = data.expected_overlap(outline)
        got = {entry["layer"]: entry["area_m2"] for entry in plot["layers"]}
        for key, value in expected.items():
            assert got[key] == pytest.approx(value, rel=RTOL, abs=0.01), (plot["name"], key)
    # the plots do not overlap: they sum to the total, area and every layer
    assert sum(p["area_m2"] for p in plots) == pytest.approx(report["project_area_m2"], rel=1e-9)
    for n, entry in enumerate(report["layers"]):
        summed = sum(p["layers"][n]["area_m2"] for p in plots)
        assert summed == pytest.approx(entry["area_m2"], rel=1e-6, abs=1e-3), entry["layer"]
    verdicts = [p["verdict"]["label"] for p in plots]
    assert verdicts[0] == "冲突" and verdicts[1] == "冲突"  # 生态保护红线, 永久基本农田
    assert report["verdict"]["label"] == "冲突"


def test_a_three_plot_geojson_gives_three_plots_summing_to_the_total(client, viewer) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"XMMC": "三地块项目", "DKMC": name},
            "geometry": mapping(_lonlat(i)),
        }
        for i, name in enumerate(NAMES)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    report = _upload(client, viewer, "三地块.geojson", body)
    assert report["project_name"] == "三地块项目"  # the name all plots share
    _assert_three_plots(report)
    assert any("3 个地块" in note for note in report["input"]["notes"])


def test_a_three_plot_shapefile_names_its_plots_from_dkmc(client, viewer, tmp_path) -> None:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"DKMC": NAMES}, geometry=[_lonlat(i) for i in range(3)], crs="EPSG:4490"
    )
    frame.to_file(tmp_path / "plots.shp", encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("plots.*"):
            archive.write(part, part.name)
    _assert_three_plots(_upload(client, viewer, "plots.zip", buffer.getvalue()))


def test_a_boundary_point_txt_and_a_dxf_check_as_their_outlines(client, viewer) -> None:
    for file in ("three_plots.txt", "zone_in_header_only_gbk.txt", "three_plots.dxf"):
        report = _upload(client, viewer, file, (FOLDER / file).read_bytes())
        _assert_three_plots(report)
        assert report["input"]["crs"] in ("EPSG:4526", "EPSG:4547")
    report = _upload(client, viewer, "no_zone.dxf", (FOLDER / "no_zone.dxf").read_bytes(), crs=4547)
    _assert_three_plots(report)


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("malformed_coordinate.txt", ("第 15 行", "不是数值")),
        ("malformed_zone_mismatch.txt", ("带号为 37",)),
        ("malformed_no_zone.txt", ("输入坐标系",)),
        ("malformed_open_polylines.dxf", ("没有闭合多段线",)),
        ("malformed_not_a_dxf.dxf", ("DXF 文件无法读取",)),
        ("no_zone.dxf", ("输入坐标系",)),
    ],
)
def test_malformed_files_are_refused_with_their_message(client, viewer, file, words) -> None:
    response = client.post(
        "/api/overlap", files={"file": (file, (FOLDER / file).read_bytes())}, headers=viewer
    )
    assert response.status_code == 422, response.text
    text = response.text
    for word in words:
        assert word in text, text
    assert "--crs" not in text


def test_a_shapefile_without_prj_speaks_of_the_crs_menu(client, viewer, tmp_path) -> None:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(geometry=[data.IN_ORCHARD], crs="EPSG:4490")
    frame.to_file(tmp_path / "p.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("p.*"):
            if part.suffix != ".prj":
                archive.write(part, part.name)
    response = client.post(
        "/api/overlap", files={"file": ("p.zip", buffer.getvalue())}, headers=viewer
    )
    assert response.status_code == 422
    assert "输入坐标系" in response.text and "--crs" not in response.text
    assert "EPSG:4490" in response.text  # the examples keep their codes


def test_notes_name_the_chosen_crs_not_a_flag(client, viewer, tmp_path) -> None:
    import geopandas as gpd

    gpd.GeoDataFrame(geometry=[data.IN_ORCHARD], crs="EPSG:4490").to_file(tmp_path / "q.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("q.*"):
            archive.write(part, part.name)
    report = _upload(client, viewer, "q.zip", buffer.getvalue(), crs=4490)
    notes = " ".join(report["input"]["notes"])
    assert "按所选坐标系" in notes and "--crs" not in notes


def test_the_cli_checks_a_txt_and_writes_its_reports(settings, dataset, monkeypatch, tmp_path):
    import importlib

    from typer.testing import CliRunner

    from api.cli import app
    from api.cli.common import console

    module = importlib.import_module("api.cli.overlap")
    monkeypatch.setattr(module, "get_settings", lambda: settings)
    monkeypatch.setattr(console, "width", 300)
    pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    txt = str(FOLDER / "three_plots.txt")
    result = CliRunner().invoke(app, ["overlap", txt, "--pdf", str(pdf), "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│" in line]
    assert [r.split("│")[1].strip() for r in rows[-4:]] == [*NAMES, "合计"]
    assert "结论：冲突" in result.output
    assert pdf.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 0
    refused = CliRunner().invoke(app, ["overlap", str(FOLDER / "malformed_no_zone.txt")])
    assert refused.exit_code == 1 and "--crs 4526" in refused.output  # the CLI's own words
    agreed = CliRunner().invoke(
        app, ["overlap", str(FOLDER / "malformed_no_zone.txt"), "--crs", "4547", "--json"]
    )
    assert agreed.exit_code == 0, agreed.output
    assert [p["name"] for p in json.loads(agreed.output)["plots"]] == NAMES


def test_snapping_vertices_of_a_small_view(client, viewer) -> None:
    """The corners of the red lines, 永久基本农田 and 耕地 parcels in the view, nothing outside."""
    response = client.get(
        "/api/overlap/vertices?bbox=113.999,24.499,114.021,24.521", headers=viewer
    )
    assert response.status_code == 200, response.text
    got = {tuple(v) for v in response.json()["vertices"]}
    expected = set()
    for geom in (data.A, data.A2, data.B, data.C1):  # every polygon touching the view
        expected |= {c for c in geom.exterior.coords}
    inside = {(x, y) for x, y in expected if 113.999 <= x <= 114.021 and 24.499 <= y <= 24.521}
    assert got == {(round(x, 9), round(y, 9)) for x, y in inside}
    assert response.json()["truncated"] is False
    too_big = client.get("/api/overlap/vertices?bbox=113.9,24.4,114.1,24.6", headers=viewer)
    assert too_big.status_code == 422 and "放大地图" in too_big.text
    assert client.get("/api/overlap/vertices?bbox=1,2,3", headers=viewer).status_code == 422


def test_display_geometry_is_light_and_areas_stay_exact(client, viewer) -> None:
    """Layer geometries are for drawing: 6 decimals (about 10 cm);
    the areas beside them are measured on the exact pieces (耕地 by the sum of its parcels'
    pieces, which tile; the red lines, which overlap each other, by their union)."""
    import shapely
    from shapely.geometry import shape

    report = client.post("/api/overlap?geometry=full", json=mapping(data.P), headers=viewer).json()
    expected = data.expected_overlap(data.P)
    for entry in report["layers"]:
        assert entry["area_m2"] == pytest.approx(expected[entry["layer"]], rel=RTOL, abs=0.01)
        if entry["geometry"] is None:
            continue
        coordinates = shapely.get_coordinates(shape(entry["geometry"]))
        assert (abs(coordinates * 1e6 - (coordinates * 1e6).round()) < 1e-6).all()
        drawn = data.area_m2(shapely.union_all(shapely.get_parts(shape(entry["geometry"]))))
        assert drawn == pytest.approx(entry["area_m2"], rel=1e-4), entry["layer"]


def test_the_filed_report_of_a_three_plot_txt_lists_each_plot(client, viewer) -> None:
    content = (FOLDER / "three_plots.txt").read_bytes()
    page = client.post(
        "/api/overlap/report.html", files={"file": ("three_plots.txt", content)}, headers=viewer
    )
    assert page.status_code == 200, page.text
    section = page.text[page.text.index("分地块结果（3 个地块）") :]
    for name in (*NAMES, "合计"):
        assert f"<tr><td>{name}</td>" in section, name
    book = client.post(
        "/api/overlap/report.xlsx", files={"file": ("three_plots.txt", content)}, headers=viewer
    )
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(book.content))["分地块结果"].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["地块", *NAMES, "合计"]
    report = _upload(client, viewer, "three_plots.txt", content)
    assert [r[1] for r in rows[1:]] == [
        pytest.approx(p["area_mu"], abs=1e-4) for p in report["plots"]
    ] + [pytest.approx(report["project_area_mu"], abs=1e-4)]
