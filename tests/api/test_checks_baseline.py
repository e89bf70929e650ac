"""GET /api/baseline, GET /api/checks and /api/checks.xlsx serve the list and its evaluation
exactly as layers.checks computes it (the evaluation's own figures are tested in
tests/layers/test_checks.py)."""

import io

from fastapi.encoders import jsonable_encoder
from openpyxl import load_workbook

from api.workbooks import CHECKS_HEADER
from gis.baseline import load_baseline
from gis.compliance import STATUS_LABELS
from layers.checks import evaluate


def test_baseline_is_the_annex(client, viewer, settings) -> None:
    body = client.get("/api/baseline", headers=viewer).json()
    assert body["district"]["lines"]["farmland_wanmu"] == 60.77
    assert [u["name"] for u in body["units"]] == ["涢水片区", "㵐水片区"]
    assert body == jsonable_encoder(load_baseline(settings.baseline_path).model_dump(mode="json"))


def test_checks_match_the_evaluation(client, viewer, settings, engine) -> None:
    body = client.get("/api/checks?period=2024", headers=viewer).json()
    direct = evaluate(engine, load_baseline(settings.baseline_path), settings, None, "2024")
    assert body["period"] == "2024"
    assert body["results"] == jsonable_encoder([r.to_dict() for r in direct])
    assert sum(body["summary"].values()) == len(direct)
    first = body["results"][0]
    assert {
        "unit",
        "line",
        "subject",
        "status",
        "target",
        "measured",
        "margin",
        "uom",
        "evidence",
    } <= set(first)


def test_checks_of_one_unit(client, viewer, settings, engine) -> None:
    body = client.get(
        "/api/checks", params={"unit": "㵐水片区", "period": "2024-06"}, headers=viewer
    ).json()
    direct = evaluate(
        engine, load_baseline(settings.baseline_path), settings, "㵐水片区", "2024-06"
    )
    assert {r["unit"] for r in body["results"]} == {"㵐水片区"}
    assert body["results"] == jsonable_encoder([r.to_dict() for r in direct])


def test_checks_workbook(client, viewer) -> None:
    data = client.get("/api/checks?period=2024", headers=viewer).json()
    response = client.get("/api/checks.xlsx?period=2024", headers=viewer)
    assert response.status_code == 200
    assert "checks-2024.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["底线核查"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == data["baseline"]
    header = rows.index(CHECKS_HEADER)
    table = rows[header + 1 :]
    assert len(table) == len(data["results"])
    for row, result in zip(table, data["results"], strict=True):
        assert row[0] == result["unit"] and row[7] == STATUS_LABELS[result["status"]]
