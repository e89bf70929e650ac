"""Saved red-line checks: listed, opened, renamed and deleted by their owner (an admin: any;
a viewer: none), every change audited; a loaded project's status set by an editor, audited;
a saved what-if cannot be promoted to 已批. Printable page and Excel state status and coverage."""

import io

import pytest
from openpyxl import load_workbook
from shapely.geometry import mapping
from sqlalchemy import text

from api.auth import create_token
from api.checks_cache import data_version
from tests.api import data
from tests.api.conftest import bearer

RTOL = 1e-4


def audit_rows(engine, action: str) -> list:
    """Read as the owner: the API's own role may only append to the audit log."""
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT actor, target, detail FROM audit_log WHERE action = :a ORDER BY id"),
            {"a": action},
        ).all()


@pytest.fixture(scope="module")
def other(engine, tokens) -> dict[str, str]:
    """A second analyst, who must not see the first one's checks."""
    return bearer(create_token(engine, "analyst", name="test-analyst-other"))


@pytest.fixture
def analyst(tokens) -> dict[str, str]:
    return bearer(tokens["analyst"])


def _save(client, headers, outline=data.IN_ORCHARD, name="我的核查") -> dict:
    response = client.post(
        f"/api/overlap?save=true&name={name}", json=mapping(outline), headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_owner_lists_opens_renames_and_deletes_with_audit(
    client, analyst, other, admin, engine
) -> None:
    saved = _save(client, analyst)
    pid = saved["id"]
    assert saved["project_status"] == "拟建"
    mine = client.get("/api/overlap", headers=analyst).json()
    assert {"id": pid, "name": "我的核查", "status": "拟建", "verdict": "不涉及"}.items() <= next(
        p for p in mine if p["id"] == pid
    ).items()
    assert all(p["submitted_by"] == "test-analyst" for p in mine)
    assert client.get(f"/api/overlap/{pid}", headers=analyst).json()["project_name"] == "我的核查"

    renamed = client.patch(f"/api/overlap/{pid}", json={"name": "改名后"}, headers=analyst)
    assert renamed.status_code == 200, renamed.text
    assert client.get(f"/api/overlap/{pid}", headers=analyst).json()["project_name"] == "改名后"
    (row,) = [r for r in audit_rows(engine, "overlap.rename") if r.target == f"saved_checks/{pid}"]
    assert row.actor == "test-analyst"
    assert (row.detail["from"], row.detail["to"]) == ("我的核查", "改名后")

    assert client.delete(f"/api/overlap/{pid}", headers=analyst).status_code == 204
    assert client.get(f"/api/overlap/{pid}", headers=analyst).status_code == 404
    (row,) = [r for r in audit_rows(engine, "overlap.delete") if r.target == f"saved_checks/{pid}"]
    assert row.detail["name"] == "改名后" and row.detail["verdict"] == "clear"


def test_others_see_nothing_admin_sees_all_viewer_none(
    client, analyst, other, admin, viewer, engine
) -> None:
    pid = _save(client, analyst, name="别人看不到")["id"]
    try:
        for method, extra in (("get", {}), ("patch", {"json": {"name": "x"}}), ("delete", {})):
            response = client.request(method, f"/api/overlap/{pid}", headers=other, **extra)
            assert response.status_code == 404, (method, response.text)
        assert client.get(f"/api/overlap/{pid}.xlsx", headers=other).status_code == 404
        assert client.get(f"/api/overlap/{pid}.html", headers=other).status_code == 404
        assert pid not in {p["id"] for p in client.get("/api/overlap", headers=other).json()}
        assert client.get("/api/overlap", headers=viewer).status_code == 403
        assert client.get(f"/api/overlap/{pid}", headers=viewer).status_code == 403
        assert client.get(f"/api/overlap/{pid}").status_code == 401
        assert pid in {p["id"] for p in client.get("/api/overlap", headers=admin).json()}
        assert client.get(f"/api/overlap/{pid}.xlsx", headers=admin).status_code == 200
        renamed = client.patch(f"/api/overlap/{pid}", json={"name": "管理员改名"}, headers=admin)
        assert renamed.status_code == 200
    finally:
        assert client.delete(f"/api/overlap/{pid}", headers=admin).status_code == 204
    rows = [r for r in audit_rows(engine, "overlap.delete") if r.target == f"saved_checks/{pid}"]
    assert [(r.actor, r.detail["role"], r.detail["submitted_by"]) for r in rows] == [
        ("test-admin", "admin", "test-analyst")
    ]


def test_a_saved_what_if_is_not_a_project(client, engine, analyst) -> None:
    """A saved check lives in saved_checks, never in the register: nothing can promote it."""
    pid = _save(client, analyst, name="不是项目")["id"]
    with engine.connect() as conn:
        in_register = conn.execute(
            text("SELECT count(*) FROM projects WHERE name = '不是项目'")
        ).scalar_one()
        owner = conn.execute(
            text("SELECT owner FROM saved_checks WHERE id = :i"), {"i": pid}
        ).scalar_one()
    assert (in_register, owner) == (0, "test-analyst")
    assert client.get(f"/api/overlap/{pid}", headers=analyst).json()["project_status"] == "拟建"
    client.delete(f"/api/overlap/{pid}", headers=analyst)


def test_a_viewer_gets_no_saved_check_through_any_layer_endpoint(
    client, analyst, viewer, tmp_path
) -> None:
    """Saved checks (and who saved them) reach no layer GeoJSON, export or OGC collection."""
    import zipfile

    marker = "泄露标记核查"
    pid = _save(client, analyst, name=marker)["id"]
    try:
        bodies = [client.get("/api/layers/projects.geojson", headers=viewer)]
        for fmt in ("geojson", "gpkg", "shp"):
            bodies.append(client.get(f"/api/layers/projects/export?format={fmt}", headers=viewer))
        bodies.append(client.get("/ogc/collections", headers=viewer))
        bodies.append(
            client.get("/ogc/collections/public.projects/items?limit=1000", headers=viewer)
        )
        assert client.get("/ogc/collections/public.saved_checks", headers=viewer).status_code == 404
        for response in bodies:
            assert response.status_code == 200, (response.url, response.text[:200])
            content = response.content
            if content[:2] == b"PK":  # a zipped shapefile: look inside every member
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    content = b"".join(archive.read(n) for n in archive.namelist())
            for needle in (marker, "test-analyst", "saved_checks", '"verdict"'):
                assert needle.encode() not in content, (response.url, needle)
                if needle != '"verdict"':
                    assert needle.encode("gbk") not in content, (response.url, needle)
        # the GeoPackage is SQLite: read it as such rather than trust a byte search
        import sqlite3

        gpkg = tmp_path / "projects.gpkg"
        gpkg.write_bytes(bodies[2].content)
        with sqlite3.connect(gpkg) as db:
            tables = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")]
            # every text cell (the export names its columns as the bureau's file did: XMMC…)
            cells = [c for t in tables for r in db.execute(f'SELECT * FROM "{t}"') for c in r]
        assert not any(isinstance(c, str) and marker in c for c in cells)
    finally:
        client.delete(f"/api/overlap/{pid}", headers=analyst)


def test_editor_sets_a_loaded_projects_status_audited(client, engine, tokens, analyst) -> None:
    with engine.begin() as conn:
        pid = conn.execute(
            text(
                "INSERT INTO projects (name, submitted_by, geom) VALUES ('登记项目', 'test-register', "
                "ST_Multi(ST_GeomFromText(:wkt, 4490))) RETURNING id"
            ),
            {"wkt": data.A2.wkt},
        ).scalar_one()
    before = data_version(engine)
    change = {"status": "已批", "approval_no": "鄂政土批〔2025〕1号", "approved_on": "2025-02-03"}
    assert client.patch(f"/api/projects/{pid}", json=change, headers=analyst).status_code == 403
    response = client.patch(f"/api/projects/{pid}", json=change, headers=bearer(tokens["editor"]))
    assert response.status_code == 200, response.text
    assert response.json() == {"id": pid, "name": "登记项目", **change}
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, approval_no, approved_on::text FROM projects WHERE id = :i"),
            {"i": pid},
        ).one()
    assert tuple(row) == ("已批", "鄂政土批〔2025〕1号", "2025-02-03")
    # an occupying project now: the checks' cache key moves
    assert data_version(engine) != before
    (audit,) = [r for r in audit_rows(engine, "project.status") if r.target == f"projects/{pid}"]
    assert audit.actor == "test-editor"
    assert audit.detail["before"]["status"] == "拟建" and audit.detail["after"] == change
    bad = client.patch(
        f"/api/projects/{pid}", json={"status": "完成"}, headers=bearer(tokens["editor"])
    )
    assert bad.status_code == 422


def test_printable_page_and_excel_state_status_coverage_and_undetermined(client, analyst) -> None:
    saved = _save(client, analyst, outline=data.STRADDLER, name="半在界外")
    pid = saved["id"]
    share = data.area_m2(data.STRADDLER.intersection(data.DISTRICT)) / data.area_m2(data.STRADDLER)
    try:
        page = client.get(f"/api/overlap/{pid}.html", headers=analyst).text
        assert "项目状态：拟建" in page and "拟建项目不计入底线清单" in page
        assert f"（{share:.2%}）" in page  # inside the district
        assert "<span class=out>界外" in page and "无法判定（超出数据范围）" in page
        assert '<p class="v out">结论：无法判定</p>' in page
        assert "<td>不涉及</td>" not in page  # only "数据范围内不涉及；其余 … 无法判定"
        assert "url(#out)" in page  # the outside part drawn hatched red

        book = load_workbook(
            io.BytesIO(client.get(f"/api/overlap/{pid}.xlsx", headers=analyst).content)
        )
        sheet = book["压占汇总"]
        rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
        assert rows["项目状态"][1] == "拟建"
        assert rows["行政区界内（%）"][1] == pytest.approx(share * 100, rel=RTOL)
        assert rows["结论"][1] == "无法判定"
        assert rows["生态保护红线"][7] == pytest.approx(share * 100, rel=RTOL)
        assert "无法判定（超出数据范围）" in rows["生态保护红线"][8]
        assert rows["耕地（地类图斑）"][8].startswith("无法判定（超出数据范围）")
        red_cells = [c for c in sheet["I"] if c.value and "无法判定" in str(c.value)]
        assert red_cells and all(c.font.color.rgb.endswith("C00000") for c in red_cells)
    finally:
        client.delete(f"/api/overlap/{pid}", headers=analyst)


def test_reports_saved_before_coverage_still_open_and_say_so(client, analyst) -> None:
    """Reports stored before this revision carry no coverage: the page and the Excel say it
    was not measured rather than show a share or a bare 不涉及."""
    from api.report_page import overlap_html
    from api.workbooks import overlap_workbook

    report = client.post("/api/overlap", json=mapping(data.IN_ORCHARD), headers=analyst).json()
    for key in ("coverage", "project_status", "project_status_note"):
        report.pop(key)
    for layer in report["layers"]:
        layer.pop("coverage"), layer.pop("finding")
    page = overlap_html(report)
    assert "保存时未量算覆盖范围" in page and "项目状态：拟建" in page
    book = load_workbook(io.BytesIO(overlap_workbook(report)))
    rows = {r[0]: r for r in book["压占汇总"].iter_rows(values_only=True) if r and r[0]}
    assert rows["行政区界内（%）"][1] == "保存时未量算覆盖范围"
    assert rows["生态保护红线"][8] == "保存时未量算覆盖范围"
