"""Land lines: 耕地, 永久基本农田 and 生态保护红线 areas; occupation and 非粮化; 三线不交叉.

Every land line carries the as-of of the layers it was measured from (:func:`land_as_of`)."""

from collections import defaultdict

from gis.area import m2_to_mu
from gis.compliance import (
    ADJUSTABLE_SUFFIX,
    BASIC_FARMLAND_CATEGORY_LABELS,
    BASIC_FARMLAND_PERMITTED,
    CONSTRUCTION_CODES,
    CONSTRUCTION_PREFIXES,
    FARMLAND_CODES,
    MIN_OVERLAP_M2,
    NONFOOD_CODES,
    NONFOOD_PREFIXES,
    OCCUPYING_STATUSES,
    REDLINE_CATEGORY_LABELS,
    REDLINE_LINEAR_CODES,
    REDLINE_WATER_WORKS_CODES,
    UOM_DIGITS,
    DataAsOf,
    Evidence,
    LineResult,
    figure_text,
    judge_minimum,
    judge_occupation,
    judge_zero,
)
from gis.lines.occupation import missing_layers, verdict_with_missing
from layers.checks.context import CheckContext
from layers.registry import get_layer

NONFOOD_LABEL = "永久基本农田非粮化"

LAYER_LABELS = {
    "farmland": "地类图斑",
    "basic_farmland": "永久基本农田",
    "eco_redline": "生态保护红线",
    "projects": "建设项目",
}
PERMITTED_IN_REDLINE = ("linear", "water_works")  # categories of checks_occupation.sql


#: Layers whose area follows a declared-area rule (checks_areas.sql): 耕地 Σ TBDLMJ of the
#: 三调 farmland classes, 永久基本农田 Σ YJJBNTMJ, 生态保护红线 the union's ellipsoidal area.
RULED_AREAS = ("farmland", "basic_farmland", "eco_redline")


def area_m2(ctx: CheckContext, area, layer: str) -> float | None:
    """The layer's area within the area (m²), None when the layer or a unit has no data."""
    if layer in RULED_AREAS:
        rows = ctx.fetch("checks_areas", {"farmland_codes": list(FARMLAND_CODES)})
        measured = {(r.line, r.unit_code): float(r.area_m2) for r in rows}
    else:
        rows = ctx.fetch_template("checks_layer_area", table=get_layer(layer).table)
        measured = {(layer, r.unit_code): float(r.area_m2) for r in rows}
    if not ctx.has(area, layer):
        return None
    return sum(measured.get((layer, c), 0.0) for c in ctx.unit_codes(area))


def area_result(ctx: CheckContext, area, spec) -> LineResult:
    """At least the list's figure, in the list's own unit of area (亩, 万亩, 公顷, 万公顷, km²)."""
    m2 = area_m2(ctx, area, spec.layer)
    digits = UOM_DIGITS.get(spec.unit, 4)
    measured = None if m2 is None else round(spec.to_unit(m2), digits)
    status, margin = (
        ("pending", None)
        if spec.by_reference
        else judge_minimum(measured, spec.target, ctx.settings.warn_margin)
    )
    return ctx.result(
        area,
        spec,
        status=status,
        measured=measured,
        uom=spec.unit,
        margin=None if margin is None else round(margin, digits),
        evidence=ctx.unit_evidence(area),
        detail={"area_m2": m2, "area_mu": None if m2 is None else m2_to_mu(m2)},
        as_of=_as_of(land_as_of(ctx), spec.layer),
    )


def occupation_results(ctx: CheckContext, area, spec) -> list[LineResult]:
    """The occupation of 永久基本农田 (with its 非粮化 finding, a line of its own) or of the
    生态保护红线, for one area.

    The land-class category of each overlap (gis.compliance groups) decides its line:
    construction and approved projects are occupation; 园地/林地/草地/坑塘 under 永久基本农田
    are 非粮化 (需核实, a figure of its own); 可调整地类 and 设施农用地 there are neither; linear
    infrastructure and water works inside the red line are 需核实, other construction 不达标.
    """
    by_key = ctx.shared.get("occupation")
    if by_key is None:
        by_key = ctx.shared["occupation"] = defaultdict(list)
        for r in ctx.fetch("checks_occupation", occupation_params()):
            by_key[(r.protected_layer, r.unit_code)].append(r)
    as_of = land_as_of(ctx)
    hits = [h for c in ctx.unit_codes(area) for h in by_key.get((spec.protected, c), [])]
    # Occupation is seen in the parcels and the projects: with either not loaded, finding
    # none proves nothing (the line was 达标 with only the protected layer loaded).
    missing = missing_layers(ctx.present, spec.protected)
    if spec.protected == "eco_redline":
        return [_redline_line(ctx, area, spec, hits, as_of, missing)]
    occupying = [h for h in hits if h.category in ("project", "construction")]
    return [
        _zero_area_line(
            ctx,
            area,
            spec,
            occupying,
            ctx.has(area, "basic_farmland"),
            _as_of(as_of, "basic_farmland", "farmland", "projects"),
            missing=missing,
        ),
        _nonfood_line(ctx, area, spec, hits, as_of),
    ]


def _names(layers) -> str:
    return "、".join(LAYER_LABELS.get(layer) or get_layer(layer).name_zh for layer in layers)


def _missing_summary(missing, what: str = "占用") -> str:
    return f"未导入{_names(missing)}，无法判定有无{what}"


def occupation_params() -> dict:
    """The land-class groups bound into checks_occupation.sql (also used by the benchmark)."""
    return {
        "farmland_codes": list(FARMLAND_CODES),
        "adjustable_suffix": ADJUSTABLE_SUFFIX,
        "permitted_codes": list(BASIC_FARMLAND_PERMITTED),
        "construction_prefixes": list(CONSTRUCTION_PREFIXES),
        "construction_codes": list(CONSTRUCTION_CODES),
        "nonfood_prefixes": list(NONFOOD_PREFIXES),
        "nonfood_codes": list(NONFOOD_CODES),
        "linear_codes": list(REDLINE_LINEAR_CODES),
        "water_works_codes": list(REDLINE_WATER_WORKS_CODES),
        "min_area_m2": MIN_OVERLAP_M2,
        "occupying_statuses": list(OCCUPYING_STATUSES),
    }


def _nonfood_line(ctx: CheckContext, area, spec, on_basic, as_of) -> LineResult:
    """非粮化 under 永久基本农田: a person must verify (需核实), never counted as occupation.
    Classes outside every group ('other', e.g. 河流水面 under 永久基本农田) are shown with it."""
    found = [h for h in on_basic if h.category in ("nonfood", "other")]
    has_data = ctx.has(area, "basic_farmland", "farmland")
    missing = missing_layers(ctx.present, "basic_farmland", ("farmland",))
    total = sum(h.area_m2 for h in found)
    status = ("review" if total > 0 else "pass") if has_data else "nodata"
    mu = round(m2_to_mu(total), 4) if has_data else None
    by_category = _by_category(on_basic) if has_data else {}
    return LineResult(
        unit=area.name,
        unit_code=area.code,
        line=spec.key(),
        part="nonfood",
        type=spec.type,
        label=NONFOOD_LABEL,
        subject=None,
        status=status,
        target=0,
        measured=mu,
        uom="亩",
        margin=None if mu is None else -mu,
        evidence=_evidence(found),
        detail={
            "area_m2": total if has_data else None,
            "by_category": by_category,
            "parcels": [_hit_detail(h) for h in found],
            "summary": (_missing_summary(missing, "非粮化") if missing else None)
            if mu is None
            else f"非粮化 {_mu_text(mu)}（不计为占用）",
            "missing_layers": missing,
            "rule": "园地、林地、草地、坑塘水面位于永久基本农田内为非粮化，需核实整改；"
            "可调整地类与设施农用地不计为占用",
        },
        as_of=_as_of(as_of, "basic_farmland", "farmland"),
    )


def _redline_line(ctx: CheckContext, area, spec, in_red, as_of, missing) -> LineResult:
    """生态保护红线占用: 不达标 when anything but permitted works occupies it, 需核实 when only
    linear infrastructure or water works do (自然资发〔2022〕142号); 无法判定 when nothing is
    found but the parcels or the projects are not loaded."""
    has_data = ctx.has(area, "eco_redline")
    permitted = [h for h in in_red if h.category in PERMITTED_IN_REDLINE]
    occupying = [h for h in in_red if h.category not in PERMITTED_IN_REDLINE]
    occupied_m2 = sum(h.area_m2 for h in occupying)
    permitted_m2 = sum(h.area_m2 for h in permitted)
    if has_data:
        status, _ = judge_occupation(occupied_m2, permitted_m2)
        status = verdict_with_missing(status, missing)
    else:
        status = "nodata"
    judged = has_data and status != "undetermined"
    mu = round(m2_to_mu(occupied_m2), 4) if judged else None
    return ctx.result(
        area,
        spec,
        status=status,
        target=0,
        measured=mu,
        uom="亩",
        margin=None if mu is None else -mu,
        evidence=_evidence(occupying + permitted),
        detail={
            "area_m2": occupied_m2 if judged else None,
            "permitted_m2": permitted_m2 if judged else None,
            "permitted_mu": round(m2_to_mu(permitted_m2), 4) if judged else None,
            "summary": _occupation_summary(mu, missing)
            if mu is None
            else f"占用 {_mu_text(mu)}（应为 0）"
            + (
                f"；线性基础设施、水工建筑 {_mu_text(m2_to_mu(permitted_m2))}（需核实）"
                if permitted_m2
                else ""
            )
            + _incomplete(missing),
            "missing_layers": missing,
            "by_category": _by_category(in_red, REDLINE_CATEGORY_LABELS) if has_data else {},
            "occupations": [_hit_detail(h) for h in occupying],
            "permitted": [_hit_detail(h) for h in permitted],
        },
        as_of=_as_of(as_of, "eco_redline", "farmland", "projects"),
    )


def _occupation_summary(mu, missing, what: str = "占用") -> str | None:
    return _missing_summary(missing, what) if mu is None and missing else None


def _incomplete(missing) -> str:
    """After a finding made without every layer: what it may lack."""
    return f"（未导入{_names(missing)}，结果可能不全）" if missing else ""


def _mu_text(mu: float) -> str:
    return figure_text(mu, "亩")


def _by_category(hits, labels=BASIC_FARMLAND_CATEGORY_LABELS) -> dict:
    totals: dict[str, float] = defaultdict(float)
    for h in hits:
        totals[h.category] += h.area_m2
    return {
        c: {"label": labels.get(c, REDLINE_CATEGORY_LABELS.get(c, c)), "area_m2": m2,
            "area_mu": round(m2_to_mu(m2), 4)}
        for c, m2 in totals.items()
    }  # fmt: skip


def _hit_detail(h) -> dict:
    return {
        "layer": h.layer,
        "id": h.id,
        "code": h.code,
        "name": h.name,
        "dlbm": h.dlbm,
        "location": h.location,
        "category": h.category,
        "protected_layer": h.protected_layer,
        "protected_id": h.protected_id,
        "protected_code": h.protected_code,
        "area_m2": h.area_m2,
        "area_mu": round(m2_to_mu(h.area_m2), 4),
    }


def _evidence(hits) -> tuple[Evidence, ...]:
    """The features on protected land (areas summed over the patches they touch), then the
    protected patches, each with the bureau's code and 坐落."""
    seen: dict[tuple[str, int], Evidence] = {}
    for h in hits:
        key = (h.layer, h.id)
        previous = seen.get(key)
        area = h.area_m2 + (previous.area_m2 if previous else 0.0)
        seen[key] = Evidence(h.layer, h.id, h.name, area, h.code, h.location)
    for h in hits:
        seen.setdefault(
            (h.protected_layer, h.protected_id),
            Evidence(
                h.protected_layer,
                h.protected_id,
                h.protected_name,
                code=h.protected_code,
                location=h.protected_location,
            ),
        )
    return tuple(seen.values())


def three_lines_result(ctx: CheckContext, area, spec) -> LineResult:
    """The overlaps of the pairs the line names, within the area."""
    by_unit = ctx.shared.get("three_lines")
    if by_unit is None:
        by_unit = ctx.shared["three_lines"] = defaultdict(list)
        for r in ctx.fetch("checks_three_lines", {"min_area_m2": MIN_OVERLAP_M2}):
            by_unit[r.unit_code].append(r)
    pairs = {frozenset(p) for p in spec.pairs}
    hits = [
        h
        for c in ctx.unit_codes(area)
        for h in by_unit.get(c, [])
        if frozenset((h.layer_a, h.layer_b)) in pairs
    ]
    layers = sorted({layer for p in spec.pairs for layer in p})
    evidence = {}
    for h in hits:
        for side in ("a", "b"):
            layer, fid = getattr(h, f"layer_{side}"), getattr(h, f"id_{side}")
            evidence.setdefault(
                (layer, fid),
                Evidence(
                    layer,
                    fid,
                    getattr(h, f"name_{side}"),
                    code=getattr(h, f"code_{side}"),
                    location=getattr(h, f"location_{side}"),
                ),
            )
    line = _zero_area_line(
        ctx,
        area,
        spec,
        hits,
        ctx.has(area, *layers),
        _as_of(land_as_of(ctx), *[x for x in layers if x in AS_OF_LAYERS]),
        tuple(evidence.values()),
        what="重叠",
        missing=[x for x in layers if x not in ctx.present],  # 无数据, and which layer
    )
    line.detail["pairs"] = [list(p) for p in spec.pairs]
    line.detail["overlaps"] = [
        {
            "a": {"layer": h.layer_a, "id": h.id_a, "code": h.code_a, "name": h.name_a},
            "b": {"layer": h.layer_b, "id": h.id_b, "code": h.code_b, "name": h.name_b},
            "area_m2": h.area_m2,
            "area_mu": round(m2_to_mu(h.area_m2), 4),
            "location": [h.lon, h.lat],
        }
        for h in hits
    ]
    return line


def _zero_area_line(
    ctx, area, spec, hits, has_data, as_of, evidence=None, what: str = "占用", missing=()
) -> LineResult:
    """A line whose target is no area at all (occupation, 三线 overlap), measured in 亩.
    ``missing``: layers the line needs that are not loaded; then "none found" is 无法判定."""
    total_m2 = sum(h.area_m2 for h in hits)
    status, _ = judge_zero(total_m2) if has_data else ("nodata", None)
    if has_data:
        status = verdict_with_missing(status, missing)
    judged = has_data and status != "undetermined"
    mu = round(m2_to_mu(total_m2), 4) if judged else None
    return ctx.result(
        area,
        spec,
        status=status,
        target=0,
        measured=mu,
        uom="亩",
        margin=None if mu is None else 0.0 - mu,
        evidence=_evidence(hits) if evidence is None else evidence,
        detail={
            "area_m2": total_m2 if judged else None,
            "summary": _occupation_summary(mu, missing, what)
            if mu is None
            else f"{what} {_mu_text(mu)}（应为 0）" + _incomplete(missing),
            "missing_layers": list(missing),
            # Occupation rows (the 三线 line lists its overlaps itself).
            **({"occupations": [_hit_detail(h) for h in hits]} if evidence is None else {}),
        },
        as_of=as_of,
    )


# --- as-of: the survey year a layer's file states and when it was loaded ---

#: Fields of a land file that state its survey year, best first (kept in ``extra`` by the
#: loader): 数据年份 SJNF, 年份 NF/TBNF, 更新时间 GXSJ, 变更年份 BGNF.
YEAR_FIELDS = (
    "SJNF",
    "sjnf",
    "NF",
    "nf",
    "TBNF",
    "BGNF",
    "GXSJ",
    "gxsj",
    "数据年份",
    "年份",
    "更新时间",
)
AS_OF_LAYERS = ("farmland", "basic_farmland", "eco_redline", "projects")


def land_as_of(ctx: CheckContext) -> dict[str, DataAsOf]:
    """Each land layer's :class:`DataAsOf` (one statement, memoised with the others)."""
    rows = ctx.fetch(
        "checks_land_as_of", {"layers": list(AS_OF_LAYERS), "year_fields": list(YEAR_FIELDS)}
    )
    out = {}
    for r in rows:
        if r.first_year is None:
            year = None
        elif r.first_year == r.last_year:
            year = str(r.first_year)
        else:
            year = f"{r.first_year}–{r.last_year}"
        loaded = r.loaded_on.isoformat() if r.loaded_on else None
        out[r.layer] = DataAsOf(r.layer, LAYER_LABELS[r.layer], year, loaded)
    return out


def _as_of(as_of: dict[str, DataAsOf], *layers: str) -> tuple[DataAsOf, ...]:
    return tuple(as_of[layer] for layer in layers if layer in as_of)
