"""The red-line report's rules (红线压占分析): how an overlap with a protected layer weighs,
how much of the project the data cover, and the verdict.

Pure: no database. ``layers/overlap.py`` measures the figures in PostGIS and calls these; each
protected layer's card (``layers.registry``) carries its :class:`OverlapRule`.

Coverage: a verdict speaks only for the part of the project the data cover. The part of the
project outside a layer's coverage is 无法判定（超出数据范围）, never 不涉及; a project
wholly outside the district is 无法判定 overall.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gis.area import m2_to_mu
from gis.compliance import MIN_OVERLAP_M2

Severity = Literal["prohibited", "restricted", "informational"]
#: What stands for a layer's loaded coverage: "district" = the district boundary (the layer is
#: declared for the whole district, so no feature there means none exists), "features" = the
#: layer's own features (a wall-to-wall survey: no parcel means no data).
CoverageBasis = Literal["district", "features"]


@dataclass(frozen=True)
class OverlapRule:
    """How an overlap with a layer weighs in the verdict, and what to tell the officer."""

    severity: Severity
    advice: str
    coverage: CoverageBasis = "district"


VERDICT_LABELS = {
    "conflict": "冲突",
    "review": "需审查",
    "clear": "不涉及",
    "undetermined": "无法判定",
}

OUT_OF_COVERAGE = "无法判定（超出数据范围）"

#: Proposed outlines checked here are 拟建: a siting question, never occupation in the list.
PROPOSED_NOTE = "拟建项目不计入底线清单（只有已批、在建、已建项目计入占用）。"


def shares(covered_m2: float, project_m2: float) -> dict[str, Any]:
    """Covered and uncovered area and shares; an uncovered rest under the noise floor (shared
    edges, coordinate rounding) counts as covered."""
    covered = min(max(covered_m2, 0.0), project_m2)
    uncovered = project_m2 - covered
    if uncovered < MIN_OVERLAP_M2:
        covered, uncovered = project_m2, 0.0
    share = covered / project_m2 if project_m2 > 0 else 0.0
    extent = "full" if uncovered == 0 else "none" if covered < MIN_OVERLAP_M2 else "partial"
    return {
        "covered_m2": covered,
        "covered_mu": m2_to_mu(covered),
        "covered_share": share,
        "uncovered_m2": uncovered,
        "uncovered_mu": m2_to_mu(uncovered),
        "uncovered_share": 1.0 - share if project_m2 > 0 else 1.0,
        "extent": extent,
    }


def finding(area_m2: float, coverage: dict[str, Any]) -> dict[str, str]:
    """The layer's own answer: 涉及 / 不涉及 for the covered part, 无法判定 for the rest."""
    if coverage["extent"] == "none":
        why = (
            "图层未导入"
            if not coverage["loaded"]
            else "项目范围内没有图斑数据"
            if coverage["basis"] == "features"
            else "项目在行政区界之外"
        )
        return {"status": "undetermined", "label": f"{OUT_OF_COVERAGE}：{why}"}
    found = "涉及" if area_m2 > 0 else "不涉及"
    if coverage["extent"] == "full":
        return {"status": "overlap" if area_m2 > 0 else "clear", "label": found}
    rest = f"{coverage['uncovered_share']:.2%}"
    return {
        "status": "partial",
        "label": f"数据范围内{found}；其余 {rest} {OUT_OF_COVERAGE}",
    }


def verdict(
    layers: list[dict[str, Any]], district: dict[str, Any], rules: Mapping[str, OverlapRule]
) -> dict[str, Any]:
    """冲突 when a prohibited layer is touched, 需审查 for a restricted one; 无法判定 when the
    project lies wholly outside the district, or touches nothing but lies partly outside a
    layer's coverage (that part could hold anything); 不涉及 only when every layer that
    weighs covers the whole project and none is touched. ``layers`` are the report's layer
    entries (``layer``, ``name``, ``area_m2``…, ``coverage``), ``rules`` each one's rule."""
    reasons = [_overlap_reason(e, rules[e["layer"]]) for e in layers if e["area_m2"] > 0]
    reasons += _coverage_reasons(layers, district)
    severities = {r["severity"] for r in reasons}
    weighing = [e for e in layers if rules[e["layer"]].severity != "informational"]
    uncovered = max((e["coverage"]["uncovered_share"] for e in weighing), default=0.0)
    if district["extent"] == "none":
        status = "undetermined"
    elif "prohibited" in severities:
        status = "conflict"
    elif "restricted" in severities:
        status = "review"
    elif any(e["coverage"]["extent"] != "full" for e in weighing):
        status = "undetermined"
    else:
        status = "clear"
    names = "、".join(e["name"] for e in weighing)
    summary = {
        "conflict": "项目与禁止占用的保护图层重叠，原则上不予通过。",
        "review": "项目占用受限图层，须补充论证或落实补偿后方可通过。",
        "clear": f"项目未压占{names}。",
        "undetermined": f"在数据覆盖的部分未压占{names}；超出各图层数据范围的部分"
        f"（最多占项目 {uncovered:.2%}，见各图层）{OUT_OF_COVERAGE}。",
    }[status]
    if district["extent"] == "none":
        summary = (
            f"项目全部位于行政区界（数据范围）之外，{OUT_OF_COVERAGE}。请核对项目坐标和坐标系。"
            if district["district_loaded"]
            else f"未导入行政区界（district 图层），{OUT_OF_COVERAGE}。"
        )
    elif status in ("conflict", "review") and uncovered > 0:
        summary += f"超出各图层数据范围的部分（最多占项目 {uncovered:.2%}）{OUT_OF_COVERAGE}。"
    return {
        "status": status,
        "label": VERDICT_LABELS[status],
        "summary": summary,
        "reasons": reasons,
    }


def _overlap_reason(entry: dict[str, Any], rule: OverlapRule) -> dict[str, Any]:
    net = entry.get("net_area_mu")
    net_text = "" if net is None else f"，扣除田坎等后 {net:.2f} 亩"
    return {
        "layer": entry["layer"],
        "severity": rule.severity,
        "text": f"涉及{entry['name']} {entry['area_mu']:.2f} 亩"
        f"（{entry['area_m2']:.1f} m²，占项目 {entry['share']:.2%}）{net_text}。{rule.advice}",
    }


def _coverage_reasons(layers: list[dict[str, Any]], district: dict[str, Any]) -> list[dict]:
    """One reason for the part outside the district, one per layer whose coverage falls
    short of the district's (a layer not loaded, parcels missing)."""
    reasons = []
    if district["uncovered_m2"] > 0:
        reasons.append(
            {
                "layer": "district",
                "severity": "undetermined",
                "text": f"项目 {district['uncovered_mu']:.2f} 亩（占项目 "
                f"{district['uncovered_share']:.2%}）位于行政区界之外，各保护图层在该部分"
                f"{OUT_OF_COVERAGE}。",
            }
        )
    for entry in layers:
        coverage = entry["coverage"]
        if coverage["uncovered_m2"] - district["uncovered_m2"] < MIN_OVERLAP_M2:
            continue
        why = (
            "该图层未导入（空图层不覆盖任何范围）"
            if not coverage["loaded"]
            else "该部分没有图斑数据"
        )
        reasons.append(
            {
                "layer": entry["layer"],
                "severity": "undetermined",
                "text": f"{entry['name']}：项目 {coverage['uncovered_mu']:.2f} 亩（占项目 "
                f"{coverage['uncovered_share']:.2%}）超出数据范围，{why}，{OUT_OF_COVERAGE}。",
            }
        )
    return reasons
