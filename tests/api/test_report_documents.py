"""The report a land-use officer files: printable page, PDF and Excel, for a saved check and for
an unsaved one (a viewer may print one), read back as a person would (PDF to text and to PNG)."""

import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from PIL import Image
from pyproj import Transformer
from shapely.geometry import mapping

from tests.api import data
from tests.api.conftest import bearer

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (scripts/install-system-deps.sh test)"
)

PROJECT = data.P  # touches 生态保护红线 A/A2, 永久基本农田 B, 耕地 C1/C3 and the urban boundary


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return run.stdout


def _page_colours(pdf: bytes, tmp_path) -> set[tuple[int, int, int]]:
    """Every colour on the pages, rendered by poppler as PNG (the file tool shows them)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    return {pixel for png in pages for pixel in Image.open(png).convert("RGB").get_flattened_data()}


def _expected_j1() -> tuple[float, float]:
    """J1 of a box: its north-west corner, in zone 38 with the zone number in Y (pyproj)."""
    west, _, _, north = PROJECT.bounds
    east_m, north_m = Transformer.from_crs(4490, 4526, always_xy=True).transform(west, north)
    return north_m, east_m


def _assert_filed_content(text: str, name: str, submitter: str) -> None:
    assert "建设项目用地压占分析报告" in text and name in text
    assert submitter in text and "核查日期" in text and "北京时间" in text
    # the map: legend, scale as ratio and bar, north arrow
    assert "图例" in text and "项目范围（红线）" in text and "压占生态保护红线" in text
    assert "比例尺 1:" in text and "北" in text
    # features by bureau code and 坐落, not database id
    for code in ("HX-T1", "HX-T2", "JB-T1", "T-C1", "T-C3"):
        assert code in text, code
    assert "测试村" in text
    # areas: 耕地 net of 田坎 stated
    assert "扣除田坎等后" in text
    # 界址点 table in zone 38, J1 at the north-west corner
    assert "界址点坐标表" in text and "38 带" in text and "EPSG:4526" in text
    x, y = _expected_j1()
    (j1,) = [line.split() for line in text.splitlines() if line.split()[:2] == ["J1", "1"]][:1]
    assert j1 == ["J1", "1", f"{x:.3f}", f"{y:.3f}"]
    assert "结论：冲突" in text
    assert "数据现势性" in text


def test_an_unsaved_check_prints_for_a_viewer_as_pdf(client, viewer, tmp_path) -> None:
    response = client.post(
        "/api/overlap/report.pdf?name=查看者项目", json=mapping(PROJECT), headers=viewer
    )
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    _assert_filed_content(_pdf_text(response.content, tmp_path), "查看者项目", "test-viewer")
    # the map is drawn: the project outline's red and the red line's green are on a page
    colours = _page_colours(response.content, tmp_path)
    assert any(r > 180 and g < 90 and b < 80 for r, g, b in colours)  # #d7301f outline
    assert any(g > r + 40 and g > b + 20 for r, g, b in colours)  # #2ca25f overlap


def test_a_saved_check_as_page_pdf_and_excel(client, tokens, tmp_path) -> None:
    analyst = bearer(tokens["analyst"])
    saved = client.post(
        "/api/overlap?save=true&name=已保存项目", json=mapping(PROJECT), headers=analyst
    ).json()
    pid = saved["id"]
    try:
        page = client.get(f"/api/overlap/{pid}.html", headers=analyst).text
        assert f"编号 {pid}" in page and "<svg" in page and "比例尺 1:" in page
        # every overlapped layer is drawn with a path of its own colour (耕地 and 永久基本农田
        # pieces come as collections: each nested polygon must reach the drawing)
        for colour in ("#2ca25f", "#f0a30a", "#d9c36a"):
            assert re.search(rf'<path d="M[^"]+" fill="{colour}"', page), colour
        pdf = client.get(f"/api/overlap/{pid}.pdf", headers=analyst)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        _assert_filed_content(_pdf_text(pdf.content, tmp_path), "已保存项目", "test-analyst")
        other = bearer(tokens["viewer"])
        assert client.get(f"/api/overlap/{pid}.pdf", headers=other).status_code == 403

        book = load_workbook(
            io.BytesIO(client.get(f"/api/overlap/{pid}.xlsx", headers=analyst).content)
        )
        rows = {r[0]: r for r in book["压占汇总"].iter_rows(values_only=True) if r and r[0]}
        assert rows["核查人"][1] == "test-analyst" and rows["核查编号"][1] == pid
        details = list(book["涉及要素"].iter_rows(values_only=True))
        assert details[0][:4] == ("保护图层", "要素编码", "名称/地类", "坐落")
        codes = {row[1] for row in details[1:]}
        assert {"HX-T1", "HX-T2", "JB-T1", "T-C1", "T-C3"} <= codes
        assert ("T-C1", "测试村") in {(row[1], row[3]) for row in details[1:]}
        points = list(book["界址点坐标"].iter_rows(values_only=True))
        assert "38 带" in points[0][0]
        header = points.index(("点号", "圈号", "X（m）", "Y（m）"))
        x, y = _expected_j1()
        assert points[header + 1][:2] == ("J1", 1)
        assert points[header + 1][2:] == (pytest.approx(x, abs=1e-3), pytest.approx(y, abs=1e-3))
        assert points[-1] == points[header + 1]  # the ring closes on J1
    finally:
        client.delete(f"/api/overlap/{pid}", headers=analyst)


def test_an_unsaved_check_as_page_and_excel(client, viewer) -> None:
    page = client.post(
        "/api/overlap/report.html?name=打印页", json=mapping(PROJECT), headers=viewer
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "打印页（未保存）" in page.text and "test-viewer" in page.text
    book = client.post("/api/overlap/report.xlsx", json=mapping(PROJECT), headers=viewer)
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.content)).sheetnames
    assert sheets == ["压占汇总", "涉及要素", "界址点坐标"]
    unknown = client.post("/api/overlap/report.doc", json=mapping(PROJECT), headers=viewer)
    assert unknown.status_code == 422
