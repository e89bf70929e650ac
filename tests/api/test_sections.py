"""Sections: list, period assessment and time series on the fixture samples (worked by hand
in tests/api/data.py)."""

import pytest


def test_sections_list_with_latest_class(client, viewer) -> None:
    listed = {s["code"]: s for s in client.get("/api/sections", headers=viewer).json()}
    first, second = listed["T-API-01"], listed["T-API-02"]
    assert (first["name"], first["control_level"], first["target_label"]) == (
        "测试断面甲",
        "市控",
        "Ⅲ",
    )
    assert (first["lon"], first["lat"]) == pytest.approx((114.03, 24.51))
    # Samples are sampling dates (the unit of the sample-count rule); readings single values.
    assert (first["sample_count"], first["reading_count"]) == (3, 12)
    assert (first["first_sampled_on"], first["last_sampled_on"]) == ("2024-05-10", "2024-06-20")
    assert first["latest"]["period"] == "2024-06"
    assert first["latest"]["label"] == "Ⅳ" and first["latest"]["meets_target"] is False
    assert first["latest"]["main_pollutants"] == ["总磷", "溶解氧"]
    assert (first["latest"]["status_label"], first["latest"]["sample_count"]) == ("不达标", 2)
    assert second["sample_count"] == 0 and second["latest"] is None
    assert second["waterbody_name"] == "湖泊水库"


def test_assessment_of_a_month(client, viewer) -> None:
    body = client.get("/api/sections/T-API-01/assessment?period=2024-06", headers=viewer).json()
    assert body["period"] == {"label": "2024-06", "start": "2024-06-01", "end": "2024-06-30"}
    assert (body["sample_count"], body["reading_count"]) == (2, 8)
    assert body["sampled_on"] == ["2024-06-05", "2024-06-20"] and body["months"] == ["2024-06"]
    assert (body["status"], body["period_kind"], body["sufficient"]) == ("fail", "month", True)
    assessment = body["assessment"]
    assert assessment["label"] == "Ⅳ" and assessment["state"] == "轻度污染"
    values = {i["key"]: (i["value"], i["label"]) for i in assessment["indicators"]}
    assert values["do"] == (pytest.approx(4.5), "Ⅳ")
    assert values["codmn"] == (pytest.approx(6.0), "Ⅲ")
    assert values["nh3n"] == (pytest.approx(0.6125), "Ⅲ")
    assert values["tp"] == (pytest.approx(0.28), "Ⅳ")
    assert [p["key"] for p in assessment["main_pollutants"]] == ["tp", "do"]
    assert (body["meets_target"], body["good"]) == (False, False)
    assert body["exceedances"] == [
        {
            "key": "tp",
            "name": "总磷",
            "value": pytest.approx(0.28),
            "grade": 4,
            "label": "Ⅳ",
            "exceedance": pytest.approx(0.4),
        }
    ]


def test_assessment_defaults_to_the_latest_month_and_other_periods(client, viewer) -> None:
    latest = client.get("/api/sections/T-API-01/assessment", headers=viewer).json()
    assert latest["period"]["label"] == "2024-06" and latest["assessment"]["label"] == "Ⅳ"
    may = client.get("/api/sections/T-API-01/assessment?period=2024-05", headers=viewer).json()
    assert may["assessment"]["label"] == "Ⅲ" and may["meets_target"] is True
    empty = client.get("/api/sections/T-API-01/assessment?period=2023", headers=viewer).json()
    assert empty["assessment"] is None and empty["sample_count"] == 0
    none = client.get("/api/sections/T-API-02/assessment", headers=viewer).json()
    assert none["period"] is None and none["assessment"] is None


def test_series_of_one_indicator(client, viewer) -> None:
    body = client.get("/api/sections/T-API-01/series?indicator=氨氮", headers=viewer).json()
    assert body["indicator"]["key"] == "nh3n" and body["indicator"]["unit"] == "mg/L"
    assert body["indicator"]["class_limits"] == [0.15, 0.5, 1.0, 1.5, 2.0]
    assert body["indicator"]["target_limit"] == 1.0
    points = [
        (p["date"], p["value"], p["below_detection_limit"], p["label"]) for p in body["points"]
    ]
    assert points == [
        ("2024-05-10", 0.4, False, "Ⅱ"),
        ("2024-06-05", 1.2, False, "Ⅳ"),
        ("2024-06-20", 0.025, True, "Ⅰ"),
    ]
    window = client.get(
        "/api/sections/T-API-01/series?indicator=do&from=2024-06-01&to=2024-06-10", headers=viewer
    ).json()
    assert [(p["date"], p["value"]) for p in window["points"]] == [("2024-06-05", 4.0)]
    assert window["indicator"]["target_limit"] == 5.0


def test_year_below_the_rule_and_a_quarter(client, viewer) -> None:
    # 2024 at this 市控 section: three samples, all in May–June (丰水期): 数据不足, no class.
    year = client.get("/api/sections/T-API-01/assessment?period=2024", headers=viewer).json()
    assert (year["status"], year["status_label"], year["assessment"]) == (
        "insufficient",
        "数据不足",
        None,
    )
    assert year["sample_count"] == 3 and year["water_periods"] == ["丰水期"]
    assert "平水期" in year["note"] and "枯水期" in year["note"]
    # 2024-Q2: three samples ≥ 2. Monthly means first: TP (0.15 + (0.26 + 0.30) / 2) / 2 = 0.215
    # → Ⅳ, 超标倍数 (0.215 − 0.2) / 0.2 = 0.075, published 0.08 (GB/T 8170), not 0.0749999….
    # NH3-N (0.4 + 0.6125) / 2 = 0.50625 (Ⅲ); DO (6.5 + 4.5) / 2 = 5.5 (Ⅲ).
    q2 = client.get("/api/sections/T-API-01/assessment?period=2024-Q2", headers=viewer).json()
    assert (q2["period"]["label"], q2["status"], q2["period_kind"]) == (
        "2024-Q2",
        "fail",
        "quarter",
    )
    values = {i["key"]: i["value"] for i in q2["assessment"]["indicators"]}
    assert values["tp"] == pytest.approx(0.215) and values["nh3n"] == pytest.approx(0.50625)
    assert values["do"] == pytest.approx(5.5)
    assert q2["exceedances"][0]["exceedance"] == 0.08
    assert q2["assessment"]["main_pollutants"] == [
        {"key": "tp", "name": "总磷", "exceedance": 0.08}
    ]
    bad = client.get("/api/sections/T-API-01/assessment?period=2024-Q5", headers=viewer)
    assert bad.status_code == 422


def test_default_period_falls_back_to_the_newest_year_when_none_meets_the_rule(
    client, viewer
) -> None:
    # The fixture's only river samples (May–June 2024, 丰水期 only) meet no annual rule: the
    # default is the newest sample's year, whose lines then say 数据不足.
    body = client.get("/api/sections/default-period", headers=viewer).json()
    assert body["period"] == "2024" and "丰平枯" in body["rule"]
