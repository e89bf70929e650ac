"""Monitoring sections (监测断面) read for people: list, period assessment, time series.

The GB 3838 rules live in :mod:`gis.water_quality`; this module fetches a section's samples
with a handful of statements and hands them over. Periods are those of the checks
(``2025`` or ``2025-06``, :func:`gis.compliance.parse_period`).
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Engine

from gis.compliance import STATUS_LABELS, Period, parse_period
from gis.errors import InvalidInputError, NotFoundError
from gis.lab_values import monthly_period_mean
from gis.sampling import SectionPeriod, evaluate_section, verdict
from gis.trophic import TLI_PARAMETERS, trophic_state
from gis.water_quality import (
    EVALUATED_KEYS,
    GRADE_COLOURS,
    GRADE_LABELS,
    INDICATORS,
    WATERBODIES,
    indicator_grade,
    indicator_key,
    published,
)
from layers.checks import latest_period
from layers.sql import query


def _judged(period: SectionPeriod, row) -> dict[str, Any]:
    """The period's class and verdicts, or why there is none (数据不足 / 无数据)."""
    coverage = period.coverage.to_dict()
    if period.assessment is None:
        status = "nodata" if period.outcome == "nodata" else "insufficient"
        return {
            **coverage,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "note": period.note,
            "assessment": None,
        }
    judged = verdict(period.assessment, row.target_grade, row.target_grade)
    return {
        **coverage,
        "status": "pass" if judged.meets_target else "fail",
        "status_label": judged.to_dict()["meets_target_label"],
        **judged.to_dict(),
        "assessment": period.assessment.to_dict(),
    }


def _summary(judged: dict[str, Any]) -> dict[str, Any]:
    """The short form of :func:`_judged` the section list carries for the map."""
    a = judged["assessment"]
    short = {k: judged[k] for k in ("status", "status_label", "sample_count", "months")}
    if a is None:
        return {**short, "grade": None, "note": judged["note"]}
    return {
        **short,
        "grade": a["grade"],
        "label": a["label"],
        "colour": a["colour"],
        "state": a["state"],
        "meets_target": judged["meets_target"],
        "good": judged["good"],
        "main_pollutants": [p["name"] for p in a["main_pollutants"]],
    }


def _section_dict(row) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "control_level": row.control_level,
        "waterbody": row.waterbody,
        "waterbody_name": WATERBODIES[row.waterbody],
        "target_grade": row.target_grade,
        "target_label": GRADE_LABELS[row.target_grade],
        "river": row.river,
        "reservoir_code": row.reservoir_code,
        "drinking_source": row.drinking_source,
        "drinking_source_level": row.drinking_source_level,
        "lon": row.lon,
        "lat": row.lat,
    }


def default_period(engine: Engine) -> dict[str, Any]:
    """The period the checks and the map open on (:func:`layers.checks.latest_period`)."""
    with engine.connect() as conn:
        chosen = latest_period(conn)
    return {
        "period": None if chosen is None else chosen.label,
        "rule": "有断面满足年度评价样本数要求（国控逐月12个月；其他断面至少3次，覆盖丰平枯水期）"
        "的最近一年；没有这样的年份时取最新样本所在年份",
    }


def list_sections(engine: Engine) -> list[dict[str, Any]]:
    """Every section with its data span and the class of its latest month with samples."""
    with engine.connect() as conn:
        rows = conn.execute(query("sections_list")).all()
        latest_rows = conn.execute(
            query("sections_latest_month"), {"evaluated": list(EVALUATED_KEYS)}
        ).all()
    samples: dict[str, list] = defaultdict(list)
    months: dict[str, dt.date] = {}
    for r in latest_rows:
        samples[r.section_code].append(
            (r.sampled_on, r.indicator, r.value, r.below_dl, r.detection_limit)
        )
        months[r.section_code] = r.month
    result = []
    for row in rows:
        latest = None
        if row.code in samples:
            month = parse_period(months[row.code].strftime("%Y-%m"))
            period = evaluate_section(
                samples[row.code], row.waterbody, row.control_level, month, row.drinking_source
            )
            latest = {"period": month.label} | _summary(_judged(period, row))
        result.append(
            {
                **_section_dict(row),
                "sample_count": row.sample_count,
                "reading_count": row.reading_count,
                "first_sampled_on": row.first_sampled_on,
                "last_sampled_on": row.last_sampled_on,
                "latest": latest,
            }
        )
    return result


def _section(conn: Connection, code: str):
    row = conn.execute(query("section_one"), {"code": code}).one_or_none()
    if row is None:
        raise NotFoundError(
            f"没有编码为 '{code[:60]}' 的监测断面 (unknown section).",
            hint="断面编码见 GET /api/sections。",
        )
    return row


def _latest_month(conn: Connection, code: str) -> Period | None:
    """The section's default period: its latest month with an indicator that counts in the
    class (a month needs one sample), else its latest month with any sample (数据不足 then)."""
    params = {"code": code, "evaluated": list(EVALUATED_KEYS)}
    last = conn.execute(query("section_last_sampled"), params).scalar_one()
    return None if last is None else parse_period(last.strftime("%Y-%m"))


def _samples(conn: Connection, code: str, start, end, indicator: str | None = None):
    params = {"code": code, "start": start, "end": end, "indicator": indicator}
    return conn.execute(query("section_samples"), params).all()


def section_assessment(engine: Engine, code: str, period: str | None = None) -> dict[str, Any]:
    """The section's class over ``period`` (default: its latest month with samples) with the
    sample count and months behind it, 达标 against its own target and 优良 (Ⅰ–Ⅲ); below the
    evaluation method's sample-count rule ``status`` is ``insufficient`` and there is no class."""
    with engine.connect() as conn:
        row = _section(conn, code)
        chosen = parse_period(period) if period else _latest_month(conn, code)
        samples = _samples(conn, code, chosen.start, chosen.end) if chosen else []
    base = {
        "section": _section_dict(row),
        "period": None
        if chosen is None
        else {"label": chosen.label, "start": chosen.start, "end": chosen.end},
        "reading_count": len(samples),
        "sampled_on": sorted({s.sampled_on for s in samples}),
    }
    if chosen is None:
        return {
            **base,
            "sample_count": 0,
            "status": "nodata",
            "status_label": STATUS_LABELS["nodata"],
            "assessment": None,
            "note": "该断面没有监测数据 (no samples).",
        }
    evaluated = evaluate_section(
        [(s.sampled_on, s.indicator, s.value, s.below_dl, s.detection_limit) for s in samples],
        row.waterbody,
        row.control_level,
        chosen,
        row.drinking_source,
    )
    judged = _judged(evaluated, row)
    assessment = evaluated.assessment
    if assessment is None:
        return {**base, **judged}
    return {
        **base,
        **judged,
        "exceedances": [
            {
                "key": key,
                "name": INDICATORS[key].name,
                "value": assessment.values[key],
                "grade": assessment.indicator_grades[key],
                "label": GRADE_LABELS[assessment.indicator_grades[key]],
                "exceedance": published(multiple, 2),
            }
            for key, multiple in assessment.exceedances.items()
        ],
    }


def section_series(
    engine: Engine, code: str, indicator: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    """One indicator's samples at one section, with each value's class, for a chart."""
    key = indicator_key(indicator)
    spec = INDICATORS[key]
    if start and end and start > end:
        raise InvalidInputError(f"起始日期 {start} 晚于结束日期 {end} (from after to).")
    with engine.connect() as conn:
        row = _section(conn, code)
        rows = _samples(conn, code, start or dt.date.min, end or dt.date.max, key)
    points = []
    for r in rows:
        value = r.detection_limit / 2 if r.below_dl else r.value
        grade = indicator_grade(key, value, row.waterbody)
        points.append(
            {
                "date": r.sampled_on,
                "value": value,
                "below_detection_limit": r.below_dl,
                "detection_limit": r.detection_limit,
                "grade": grade,
                "label": None if grade is None else GRADE_LABELS[grade],
                "colour": None if grade is None else GRADE_COLOURS[grade],
            }
        )
    return {
        "section": _section_dict(row),
        "indicator": {
            "key": key,
            "name": spec.name,
            "unit": spec.unit,
            "bound": spec.bound.value,
            "class_limits": list(spec.class_limits(row.waterbody)),
            "target_limit": _target_limit(spec, row.waterbody, row.target_grade),
        },
        "points": points,
    }


def _target_limit(spec, waterbody: str, target_grade: int) -> float | None:
    limits = spec.class_limits(waterbody)
    if spec.bound.value in ("≤", "≥") and limits:
        return limits[target_grade - 1]
    return None


def reservoir_trophic(engine: Engine, code: str, period: str | None = None) -> dict[str, Any]:
    """TLI(Σ) of a reservoir over ``period`` (default: its latest year with measurements).

    Each parameter's period value is the mean of its monthly means over the reservoir's lake
    sections, below-detection results at half their limit; ``index`` is None when nothing was
    measured, and an index from fewer than the five parameters is flagged 参数不全.
    """
    keys = list(TLI_PARAMETERS)
    with engine.connect() as conn:
        reservoir = conn.execute(query("reservoir_one"), {"code": code}).one_or_none()
        if reservoir is None:
            raise NotFoundError(
                f"没有编码为 '{code[:60]}' 的水库 (unknown reservoir).",
                hint="水库编码见 GET /api/layers/reservoirs.geojson。",
            )
        if period:
            chosen = parse_period(period)
        else:
            year = conn.execute(query("reservoir_trophic_latest"), {"code": code, "keys": keys})
            latest = year.scalar_one_or_none()
            chosen = None if latest is None else parse_period(str(latest))
        rows = (
            []
            if chosen is None
            else conn.execute(
                query("reservoir_trophic_samples"),
                {"code": code, "keys": keys, "start": chosen.start, "end": chosen.end},
            ).all()
        )
    readings = defaultdict(list)
    for r in rows:
        readings[r.indicator].append((r.sampled_on, r.value, r.below_dl, r.detection_limit))
    base = {
        "reservoir": {
            "code": reservoir.code,
            "name": reservoir.name,
            "bloom_risk": reservoir.bloom_risk,
        },
        "period": None if chosen is None else chosen.label,
        "sections": sorted({r.section_code for r in rows}),
    }
    if not readings:
        return {
            **base,
            "index": None,
            "grade": None,
            "eutrophic": None,
            "parameters": [],
            "note": "该时段没有叶绿素a、总磷、总氮、透明度或高锰酸盐指数的监测数据。",
        }
    means = {key: monthly_period_mean(values) for key, values in readings.items()}
    return {**base, "means": means, **trophic_state(means).to_dict()}
