"""Land lines: 耕地, 永久基本农田 and 生态保护红线 areas; occupation; 三线不交叉."""

from collections import defaultdict

from gis.area import m2_to_mu, m2_to_wanmu
from gis.compliance import (
    CONSTRUCTION_CODES,
    CONSTRUCTION_PREFIXES,
    FARMLAND_CODES,
    MIN_OVERLAP_M2,
    OCCUPYING_STATUSES,
    Evidence,
    LineResult,
    judge_minimum,
    judge_zero,
)
from layers.checks.context import CheckContext

AREA_LINES = {
    "farmland": "farmland_wanmu",
    "basic_farmland": "basic_farmland_wanmu",
    "eco_redline": "eco_redline_wanmu",
}

OCCUPATION_LINES = {
    "farmland_occupation": "basic_farmland",
    "eco_redline_occupation": "eco_redline",
}
THREE_LINES = ("eco_redline", "basic_farmland", "urban_boundary")


def check_areas(ctx: CheckContext) -> list[LineResult]:
    rows = ctx.fetch("checks_areas", {"farmland_codes": list(FARMLAND_CODES)})
    measured_m2 = {(r.line, r.unit_code): float(r.area_m2) for r in rows}
    results = []
    for area in ctx.areas():
        for line, key in AREA_LINES.items():
            target = getattr(area.lines, key)
            if target is None:
                continue
            parts = [measured_m2.get((line, c)) for c in ctx.unit_codes(area)]
            present = [p for p in parts if p is not None]
            m2 = sum(present) if present else None
            wanmu = None if m2 is None else round(m2_to_wanmu(m2), 4)
            status, margin = judge_minimum(wanmu, target, ctx.settings.warn_margin)
            results.append(
                LineResult(
                    unit=area.name,
                    unit_code=area.code,
                    line=line,
                    status=status,
                    target=target,
                    measured=wanmu,
                    uom="万亩",
                    margin=None if margin is None else round(margin, 4),
                    evidence=ctx.unit_evidence(area),
                    detail={"area_m2": m2, "area_mu": None if m2 is None else m2_to_mu(m2)},
                )
            )
    return results


def check_occupation(ctx: CheckContext) -> list[LineResult]:
    rows = ctx.fetch(
        "checks_occupation",
        {
            "farmland_codes": list(FARMLAND_CODES),
            "construction_prefixes": list(CONSTRUCTION_PREFIXES),
            "construction_codes": list(CONSTRUCTION_CODES),
            "min_area_m2": MIN_OVERLAP_M2,
            "occupying_statuses": list(OCCUPYING_STATUSES),
        },
    )
    by_key = defaultdict(list)
    for r in rows:
        by_key[(r.line, r.unit_code)].append(r)
    results = []
    for area in ctx.areas():
        for line, protected in OCCUPATION_LINES.items():
            hits = [h for c in ctx.unit_codes(area) for h in by_key.get((line, c), [])]
            results.append(
                _zero_area_line(
                    area,
                    line,
                    hits,
                    ctx.has(area, protected),
                    _occupation_evidence(hits),
                    {
                        "occupations": [
                            {
                                "layer": h.layer,
                                "id": h.id,
                                "name": h.name,
                                "dlbm": h.dlbm,
                                "protected_layer": h.protected_layer,
                                "protected_id": h.protected_id,
                                "area_m2": h.area_m2,
                                "area_mu": m2_to_mu(h.area_m2),
                            }
                            for h in hits
                        ]
                    },
                )
            )
    return results


def _occupation_evidence(hits) -> tuple[Evidence, ...]:
    seen: dict[tuple[str, int], Evidence] = {}
    for h in hits:
        key = (h.layer, h.id)
        previous = seen.get(key)
        area = h.area_m2 + (previous.area_m2 if previous else 0.0)
        seen[key] = Evidence(h.layer, h.id, h.name, area)
    for h in hits:
        seen.setdefault(
            (h.protected_layer, h.protected_id), Evidence(h.protected_layer, h.protected_id)
        )
    return tuple(seen.values())


def check_three_lines(ctx: CheckContext) -> list[LineResult]:
    rows = ctx.fetch("checks_three_lines", {"min_area_m2": MIN_OVERLAP_M2})
    by_unit = defaultdict(list)
    for r in rows:
        by_unit[r.unit_code].append(r)
    results = []
    for area in ctx.areas():
        hits = [h for c in ctx.unit_codes(area) for h in by_unit.get(c, [])]
        evidence = {}
        for h in hits:
            evidence.setdefault((h.layer_a, h.id_a), Evidence(h.layer_a, h.id_a, h.name_a))
            evidence.setdefault((h.layer_b, h.id_b), Evidence(h.layer_b, h.id_b, h.name_b))
        results.append(
            _zero_area_line(
                area,
                "three_lines",
                hits,
                ctx.has(area, *THREE_LINES),
                tuple(evidence.values()),
                {
                    "overlaps": [
                        {
                            "a": {"layer": h.layer_a, "id": h.id_a, "name": h.name_a},
                            "b": {"layer": h.layer_b, "id": h.id_b, "name": h.name_b},
                            "area_m2": h.area_m2,
                            "area_mu": m2_to_mu(h.area_m2),
                            "location": [h.lon, h.lat],
                        }
                        for h in hits
                    ]
                },
            )
        )
    return results


def _zero_area_line(area, line, hits, has_data, evidence, detail) -> LineResult:
    """A line whose target is no area at all (occupation, 三线 overlap), measured in 亩."""
    total_m2 = sum(h.area_m2 for h in hits)
    status, _ = judge_zero(total_m2) if has_data else ("nodata", None)
    mu = round(m2_to_mu(total_m2), 4) if has_data else None
    return LineResult(
        unit=area.name,
        unit_code=area.code,
        line=line,
        status=status,
        target=0,
        measured=mu,
        uom="亩",
        margin=None if mu is None else 0.0 - mu,
        evidence=evidence,
        detail={"area_m2": total_m2 if has_data else None, **detail},
    )
