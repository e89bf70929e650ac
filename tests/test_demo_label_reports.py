"""The Excel workbooks and the printable report say 示例数据 when the demonstration dataset
is loaded, and say nothing of it on a bureau's own data (issue 16, defect 10)."""

import io
from collections.abc import Iterator

import pytest
import shapely
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from shapely.geometry import mapping
from sqlalchemy import Engine, text

from api.auth import create_token
from api.main import create_app
from layers.settings import Settings

# A square inside 曾都区 (the demo's district), around 113.37°E 31.72°N.
OUTLINE = mapping(shapely.box(113.36, 31.71, 113.38, 31.73))


def client_for(engine: Engine, settings: Settings) -> tuple[TestClient, dict]:
    token = create_token(engine, "analyst", name="test-demo-label")
    return TestClient(create_app(settings)), {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def demo(demo_engine: Engine, demo_settings: Settings) -> Iterator[tuple[TestClient, dict]]:
    client, auth = client_for(demo_engine, demo_settings)
    with client:
        yield client, auth


def sheets(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets


def test_workbooks_and_the_printable_report_say_demo(demo) -> None:
    client, auth = demo
    checks = client.get("/api/checks.xlsx", headers=auth)
    assert checks.status_code == 200
    for sheet in sheets(checks.content):
        assert str(sheet["A1"].value).startswith("【示例数据】"), sheet.title
    note = sheets(checks.content)[-1]
    assert note.title == "示例数据说明"
    listed = [row[0] for row in note.iter_rows(values_only=True)]
    layers = listed[listed.index("涉及图层：") + 1 :]
    assert len(layers) >= 8 and "永久基本农田" in layers  # every layer of the dataset
    assert "synthetic" in str(listed[0])

    saved = client.post("/api/overlap?save=true&name=示例项目", json=OUTLINE, headers=auth)
    assert saved.status_code == 200, saved.text
    pid = saved.json()["id"]
    for content in (
        client.get(f"/api/overlap/{pid}.xlsx", headers=auth).content,
        client.post("/map/overlap.xlsx", json=saved.json(), headers=auth).content,
    ):
        assert all(str(s["A1"].value).startswith("【示例数据】") for s in sheets(content))
    page = client.get(f"/api/overlap/{pid}.html", headers=auth)
    assert page.status_code == 200
    body = page.text.split("<body>", 1)[1]
    assert body.lstrip().startswith('<div class="ws-demo-label"')
    assert "【示例数据】" in body and "不是真实" in body


def test_own_data_carry_no_demo_label(settings: Settings, engine: Engine, tmp_path) -> None:
    # A list that fits whatever district these data hold (the shipped one is 曾都区's); the
    # demo files stay where the label looks for them.
    with engine.connect() as conn:
        code = conn.execute(text("SELECT code FROM district LIMIT 1")).scalar() or "T-421303"
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "own.yaml").write_text(
        f"name: 自有数据清单\ndistrict: {{code: '{code}', name: 测试区, lines: []}}\n",
        encoding="utf-8",
    )
    (tmp_path / "shapefiles").symlink_to(settings.data_dir / "shapefiles")
    own = settings.model_copy(update={"data_dir": tmp_path, "baseline": "own"})
    client, auth = client_for(engine, own)
    with client:
        checks = client.get("/api/checks.xlsx", headers=auth)
    assert checks.status_code == 200
    assert all("示例数据" not in str(s["A1"].value) for s in sheets(checks.content))
    assert "示例数据说明" not in [s.title for s in sheets(checks.content)]
