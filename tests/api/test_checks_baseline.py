"""GET /api/baselines, /api/baseline, /api/checks and /api/checks.xlsx serve the lists and their
evaluation exactly as layers.checks computes it (the evaluation's own figures are tested in
tests/layers/test_checks*.py). The evaluation runs on the demonstration data, which fit the
shipped list; on the API's own fixture data (another district code) that list is refused."""

import io

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text

from api.auth import create_token
from api.checks_cache import clear
from api.main import create_app
from api.workbooks import CHECKS_HEADER
from gis.baseline import load_baseline
from gis.compliance import STATUS_LABELS
from gis.errors import BaselineError
from layers.checks import evaluate
from layers.settings import REPO_ROOT
from tests.api.conftest import bearer

TOKEN = "test-checks-api"


@pytest.fixture(scope="module")
def demo_client(demo_engine, demo_settings):
    clear()
    with TestClient(create_app(demo_settings)) as client:
        yield client
    clear()


@pytest.fixture(scope="module")
def demo_viewer(demo_engine):
    yield bearer(create_token(demo_engine, "viewer", name=TOKEN))
    with demo_engine.begin() as conn:
        conn.execute(text("DELETE FROM api_tokens WHERE name = :n"), {"n": TOKEN})


def _line(area: dict, type_: str, **fields) -> dict:
    return next(
        line
        for line in area["lines"]
        if line["type"] == type_ and all(line.get(k) == v for k, v in fields.items())
    )


def test_baseline_is_the_annex(client, viewer, settings) -> None:
    body = client.get("/api/baseline", headers=viewer).json()
    assert _line(body["district"], "area_at_least", layer="farmland")["target"] == 60.77
    assert [u["name"] for u in body["units"]] == ["涢水片区", "㵐水片区"]
    b = load_baseline(settings.baseline_path)
    # Each line as listed, plus its key, title and target as people read them.
    for area, served in zip(b.areas(), [body["district"], *body["units"]], strict=True):
        for line, out in zip(area.lines, served["lines"], strict=True):
            extra = {k: out.pop(k) for k in ("key", "title", "target_text")}
            assert extra == {
                "key": line.key(),
                "title": line.title(),
                "target_text": line.target_text(),
            }
    assert body == jsonable_encoder(b.model_dump(mode="json"))
    farmland = b.district.find("area_at_least", layer="farmland")
    assert (farmland.title(), farmland.target_text()) == ("耕地保护红线（不少于）", "≥ 60.77 万亩")
    named = client.get("/api/baseline?list=zengdu", headers=viewer).json()
    assert named["district"]["code"] == "421303"


def test_baselines_lists_the_shipped_list(client, viewer) -> None:
    lists = {x["name"]: x for x in client.get("/api/baselines", headers=viewer).json()}
    zengdu = lists["zengdu"]
    assert (zengdu["in_force"], zengdu["valid"], zengdu["units"]) == (True, True, 2)
    assert zengdu["district"] == {"code": "421303", "name": "曾都区"}
    assert zengdu["lines"] == 14 + 12 + 12  # as in data/baselines/zengdu.yaml


def test_a_list_for_another_district_is_refused(client, viewer) -> None:
    """The API's fixture data are district T-421303: 曾都区's list does not fit them, and the
    refusal names what is missing instead of showing figures under the wrong name."""
    response = client.get("/api/checks?period=2024", headers=viewer)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "与已导入的数据不符" in detail
    assert "全区编码 421303（曾都区）不在已导入的区界中" in detail and "T-421303" in detail
    response = client.get("/api/checks?list=no_such_list", headers=viewer)
    assert response.status_code == 422 and "找不到底线清单文件" in response.json()["detail"]
    assert client.get("/api/checks?list=../zengdu", headers=viewer).status_code == 422


def test_checks_match_the_evaluation(demo_client, demo_viewer, demo_settings, demo_engine) -> None:
    body = demo_client.get("/api/checks?period=2025", headers=demo_viewer).json()
    baseline = load_baseline(demo_settings.baseline_path)
    direct = evaluate(demo_engine, baseline, demo_settings, None, "2025")
    assert (body["period"], body["list"], body["baseline"]) == ("2025", "zengdu", baseline.name)
    assert body["district"] == {"code": "421303", "name": "曾都区"}
    assert body["results"] == jsonable_encoder([r.to_dict() for r in direct])
    assert sum(body["summary"].values()) == len(direct) == 50
    # The demo list names its sections by name only: the fit check says so, once per list.
    assert any("按名称匹配" in w for w in body["warnings"])
    first = body["results"][0]
    assert {
        "unit",
        "unit_code",
        "line",
        "part",
        "type",
        "label",
        "subject",
        "status",
        "target",
        "measured",
        "margin",
        "uom",
        "evidence",
    } <= set(first)


def test_checks_of_one_unit(demo_client, demo_viewer, demo_settings, demo_engine) -> None:
    body = demo_client.get(
        "/api/checks", params={"unit": "㵐水片区", "period": "2025-06"}, headers=demo_viewer
    ).json()
    direct = evaluate(
        demo_engine,
        load_baseline(demo_settings.baseline_path),
        demo_settings,
        "㵐水片区",
        "2025-06",
    )
    assert {r["unit"] for r in body["results"]} == {"㵐水片区"}
    assert body["results"] == jsonable_encoder([r.to_dict() for r in direct])


def test_checks_workbook(demo_client, demo_viewer) -> None:
    data = demo_client.get("/api/checks?period=2025", headers=demo_viewer).json()
    response = demo_client.get("/api/checks.xlsx?period=2025", headers=demo_viewer)
    assert response.status_code == 200
    assert "checks-2025.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["底线核查"]
    rows = list(sheet.iter_rows(values_only=True))
    # the demonstration data are labelled as such in every sheet (issue 16, defect 10)
    assert rows[0][0] == "【示例数据】" + data["baseline"]
    header = rows.index(CHECKS_HEADER)
    table = rows[header + 1 :]
    assert len(table) == len(data["results"])
    unit, line, status = (CHECKS_HEADER.index(h) for h in ("片区", "底线", "结论"))
    for row, result in zip(table, data["results"], strict=True):
        assert row[unit] == result["unit"] and row[status] == STATUS_LABELS[result["status"]]
        assert row[line] == result["line_label"]


def test_an_invalid_list_is_listed_as_such(settings, viewer, tmp_path) -> None:
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    (baselines / "zengdu.yaml").write_text(
        settings.baseline_path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    (baselines / "broken.yaml").write_text(
        "name: 坏清单\ndistrict: {code: X, name: 某区, lines: [{type: nope}]}\n", encoding="utf-8"
    )
    own = settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(create_app(own)) as client:
        lists = {x["name"]: x for x in client.get("/api/baselines", headers=viewer).json()}
        assert (lists["zengdu"]["valid"], lists["broken"]["valid"]) == (True, False)
        assert "未知的底线类型 'nope'" in lists["broken"]["error"]
        response = client.get("/api/baseline?list=broken", headers=viewer)
        assert response.status_code == 422
        assert "第1条底线（nope）" in response.json()["detail"]


def test_lists_are_validated_at_start_up(settings, tmp_path) -> None:
    """The list in force must be valid for the app to start; another invalid list is only
    reported (logged, and listed by GET /api/baselines)."""
    (tmp_path / "baselines").mkdir()
    good = (REPO_ROOT / "data" / "baselines" / "zengdu.yaml").read_text(encoding="utf-8")
    (tmp_path / "baselines" / "zengdu.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "baselines" / "broken.yaml").write_text("name: x\n", encoding="utf-8")
    ok = settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(create_app(ok)) as client:
        assert [p.split(":")[0] for p in client.app.state.list_problems] == ["broken"]
    bad = settings.model_copy(update={"data_dir": tmp_path, "baseline": "broken"})
    with pytest.raises(BaselineError, match=r"broken\.yaml"), TestClient(create_app(bad)):
        pass
