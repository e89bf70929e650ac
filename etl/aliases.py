"""Field aliases (字段别名): the bureau's attribute names mapped onto our columns, per layer.

Survey data names the same thing many ways (三调 ``DLBM``; 生态保护红线 ``HXMC``/``MC``/``NAME``;
Chinese headers; names cut to the DBF's 10 characters). Each layer's card in the registry
(``LayerSpec.aliases``) lists each model column and the source names accepted for it, best first.
Matching ignores case, width (full/half) and surrounding spaces; a column's own name and its
first 10 characters always match. Required fields are the model's NOT NULL columns without a
default, so the table and the schema cannot disagree. Source fields that match no column are
kept in ``extra`` (JSONB) rather than dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Boolean, Column, Date, Float, Integer, String

from etl import values
from etl.jsonrows import json_objects
from gis.compliance import OCCUPYING_STATUSES, PROJECT_STATUSES, SOURCE_LEVELS
from gis.errors import InvalidInputError
from gis.water_quality import grade_from_label
from layers.models.sections import CONTROL_LEVELS
from layers.registry import LayerSpec, get_layer


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip().casefold()


# --- value normalisers for enumerations: text in, canonical text (or None = unreadable) out --


def _scale(text: str) -> str | None:
    folded = _fold(text)
    for prefix, scale in (("大", "大型"), ("中", "中型"), ("小", "小型")):
        if folded.startswith(prefix):
            return scale
    return {"large": "大型", "medium": "中型", "small": "小型"}.get(folded)


def _control_level(text: str) -> str | None:
    folded = _fold(text).removesuffix("断面").removesuffix("级")
    folded = {"国考": "国控", "国家": "国控", "省考": "省控", "省级": "省控"}.get(folded, folded)
    return folded if folded in CONTROL_LEVELS else None


def _waterbody(text: str) -> str | None:
    folded = _fold(text)
    if folded in ("river", "河流", "河道", "河", "江河"):
        return "river"
    if folded in ("lake", "reservoir", "湖库", "湖泊", "水库", "湖泊水库", "湖", "库"):
        return "lake"
    return None


def _source_level(text: str) -> str | None:
    folded = _fold(text).removesuffix("水源地").removesuffix("集中式")
    aliases = {"市级": "地市级", "地级": "地市级", "地级市": "地市级", "区级": "县级",
               "县区级": "县级", "县(区)级": "县级", "乡镇": "乡镇级", "镇级": "乡镇级", "乡级": "乡镇级"}  # fmt: skip
    folded = aliases.get(folded, folded)
    return folded if folded in SOURCE_LEVELS else None


def _protection_level(text: str) -> str | None:
    folded = _fold(text).removesuffix("保护区").removesuffix("水源")
    folded = {"1": "一级", "2": "二级", "准": "准保护区", "准保护": "准保护区"}.get(folded, folded)
    return folded if folded in ("一级", "二级", "准保护区") else None


# Words a register of projects uses for each status (项目状态), folded; the bare canonical
# names match too. Unknown words are refused rather than guessed: the status decides whether a
# project counts as occupation in the list.
_PROJECT_STATUS_WORDS = {
    "拟建": ("拟建项目", "规划", "拟批", "待批", "未批", "报批", "申报", "proposed", "planned"),
    "已批": ("已批准", "批准", "已批复", "批复", "已审批", "审批", "已核准", "核准", "approved"),
    "在建": ("施工", "施工中", "在施", "已开工", "开工", "建设中", "under construction"),
    "已建": ("建成", "已建成", "竣工", "已竣工", "完工", "已完工", "投产", "built", "completed"),
}
_PROJECT_STATUS = {
    _fold(word): status
    for status, words in _PROJECT_STATUS_WORDS.items()
    for word in (status, *words)
}


def _project_status(text: str) -> str | None:
    return _PROJECT_STATUS.get(_fold(text))


def _land_code(text: str) -> str | None:
    """A 三调 code; a numeric DBF field may have eaten the leading zero (101 → 0101)."""
    code = _fold(text).upper()
    return code.zfill(4) if code.isdigit() and len(code) == 3 else code


_DAM_NUMERALS = {"一": 1, "二": 2, "三": 3, "1": 1, "2": 2, "3": 3,
                 "i": 1, "ii": 2, "iii": 3, "ⅰ": 1, "ⅱ": 2, "ⅲ": 3}  # fmt: skip


def _dam_class(text: str) -> str | None:
    """大坝安全类别: 一类坝/二类坝/三类坝, also written 一类, 1, Ⅰ类, II类坝, 三类(病险)."""
    folded = _fold(text).split("(")[0].split("（")[0].strip()
    folded = folded.removesuffix("坝").removesuffix("类").strip()
    number = _DAM_NUMERALS.get(folded)
    return None if number is None else f"{'一二三'[number - 1]}类坝"


def _grade(text: str) -> int | None:
    try:
        grade = grade_from_label(text)
    except InvalidInputError:
        return None
    return grade if grade <= 5 else None


NORMALISERS: dict[tuple[str, str], Callable[[str], object]] = {
    ("reservoirs", "scale"): _scale,
    ("reservoirs", "appraisal_result"): _dam_class,
    ("sections", "control_level"): _control_level,
    ("sections", "waterbody"): _waterbody,
    ("sections", "target_grade"): _grade,
    ("sections", "drinking_source_level"): _source_level,
    ("water_source_zones", "level"): _protection_level,
    ("farmland", "dlbm"): _land_code,
    ("farmland", "kcdlbm"): _land_code,
    ("basic_farmland", "dlbm"): _land_code,
    ("projects", "status"): _project_status,
}

_WHAT = {
    ("sections", "target_grade"): "水质类别 Ⅰ–Ⅴ（写作 Ⅲ、III、3 或 Ⅲ类）",
    ("sections", "control_level"): "国控/省控/市控/县控",
    ("sections", "waterbody"): "河流 或 湖库",
    ("sections", "drinking_source_level"): "地市级/县级/乡镇级",
    ("reservoirs", "scale"): "大型/中型/小型（小(1)型、小(2)型 亦可）",
    ("reservoirs", "appraisal_result"): "一类坝/二类坝/三类坝（一类、1、Ⅰ类 亦可）",
    ("water_source_zones", "level"): "一级/二级/准保护区",
    ("projects", "status"): "项目状态 拟建/已批/在建/已建（已批准、批复、施工中、竣工 等亦可）",
}


@dataclass
class MappedAttributes:
    """Attributes ready for the table: model columns, ``extra`` as JSON text, and notes."""

    columns: pd.DataFrame
    extra_json: pd.Series
    mapping: dict[str, str]  # column -> source field
    warnings: list[str] = field(default_factory=list)


def model_columns(spec: LayerSpec) -> list[Column]:
    """The layer's columns that come from the file's attributes (those with aliases), in
    table order; the others (``projects.submitted_at``, ``report``…) keep their defaults."""
    known = spec.aliases
    return [c for c in spec.model.__table__.columns if c.name in known]


def required_columns(spec: LayerSpec) -> list[str]:
    """NOT NULL columns without a default, which the file must supply."""
    return [
        c.name
        for c in spec.model.__table__.columns
        if not c.nullable
        and c.default is None
        and c.server_default is None
        and not c.primary_key
        and c.name != "geom"
    ]


def accepted_names(layer: str, column: str) -> tuple[str, ...]:
    """Every source name accepted for ``column``, best first (for messages and matching)."""
    names = (*get_layer(layer).aliases.get(column, ()), column.upper(), column[:10].upper())
    return tuple(dict.fromkeys(names))


def match_fields(layer: str, fields: list[str]) -> dict[str, str]:
    """``{column: source field}`` for the columns found among ``fields``.

    A column takes the best-ranked alias present; a source field serves one column only.
    """
    spec = get_layer(layer)
    by_fold = {}
    for name in fields:
        by_fold.setdefault(_fold(name), name)
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for column in model_columns(spec):
        for alias in accepted_names(layer, column.name):
            source = by_fold.get(_fold(alias))
            if source is not None and source not in taken:
                mapping[column.name] = source
                taken.add(source)
                break
    return mapping


def map_attributes(layer: str, frame: pd.DataFrame) -> MappedAttributes:
    """Map ``frame`` (source fields as read, one row per feature) onto ``layer``'s columns.

    Raises :class:`InvalidInputError` for a missing required field, or naming the features
    whose values cannot be read (a number that is not one, an unknown class label, a blank
    required value, text longer than the column, a duplicate of a unique value).
    """
    spec = get_layer(layer)
    mapping = match_fields(layer, list(frame.columns))
    _require(spec, mapping)
    columns = pd.DataFrame(index=frame.index)
    problems: list[str] = []
    kept_originals: list[str] = []
    for column in model_columns(spec):
        source = mapping.get(column.name)
        if source is None:
            columns[column.name] = _default_series(column, frame.index)
            continue
        parsed, changed = _parse_column(layer, column, frame[source], source, problems)
        columns[column.name] = parsed
        if changed:
            kept_originals.append(source)
    warnings = _derive(layer, columns, mapping)
    _check_required_values(spec, columns, mapping, problems)
    _check_unique(spec, columns, mapping, problems)
    if problems:
        raise _value_error(spec, problems)
    extra_fields = [f for f in frame.columns if f not in mapping.values()] + kept_originals
    warnings += _alias_notes(layer, frame.columns, mapping)
    return MappedAttributes(columns, json_objects(frame[extra_fields]), mapping, warnings)


def _require(spec: LayerSpec, mapping: dict[str, str]) -> None:
    missing = [c for c in required_columns(spec) if c not in mapping]
    if not missing:
        return
    details = "；".join(
        f"{c}（可用字段名：{'、'.join(accepted_names(spec.key, c))}）" for c in missing
    )
    raise InvalidInputError(
        f"图层 {spec.key}（{spec.name_zh}）缺少必填字段（missing required field）：{details}。",
        hint="请在属性表中添加该字段，或把已有字段改为上面任一名称（不区分大小写）。",
    )


def _default_series(column: Column, index: pd.Index) -> pd.Series:
    default = (
        column.default.arg if column.default is not None and column.default.is_scalar else None
    )
    return pd.Series(default, index=index, dtype=object)


def _parse_column(
    layer: str, column: Column, series: pd.Series, source: str, problems: list[str]
) -> tuple[pd.Series, bool]:
    """Parse one source field into ``column``'s type; returns (values, originals changed)."""
    kind = column.type
    normaliser = NORMALISERS.get((layer, column.name))
    if normaliser is not None:
        text, _ = values.to_text(series)
        present = text.notna()
        uniques = {v: normaliser(v) for v in text[present].unique()}  # few distinct labels
        out = text.map(uniques).where(present, None)
        bad = present & out.isna()
        changed = bool((out[present].astype(str) != text[present]).any())
    elif isinstance(kind, String):
        out, bad = values.to_text(series)
        changed = False
    elif isinstance(kind, Float | Integer):
        out, bad = values.to_number(series)
        changed = False
    elif isinstance(kind, Date):
        out, bad = values.to_date(series, allow_month=True, allow_year=True)
        changed = False
    elif isinstance(kind, Boolean):
        out, bad = values.to_bool(series)
        changed = False
    else:  # pragma: no cover - a new column type needs a parser here
        raise TypeError(f"no parser for {column.name}: {kind!r}")
    if bad.any():
        what = _WHAT.get((layer, column.name), _type_name(kind))
        problems.append(_rows_text(source, series, bad, f"不是有效的{what}"))
    if isinstance(kind, String) and kind.length:
        too_long = pd.Series(values.text_length(out) > kind.length, index=out.index)
        if too_long.any():
            problems.append(_rows_text(source, series, too_long, f"超过 {kind.length} 个字符"))
    if column.default is not None and column.default.is_scalar:
        out = out.where(out.notna(), column.default.arg)
    return out, changed


def _type_name(kind) -> str:
    if isinstance(kind, Float | Integer):
        return "数值"
    if isinstance(kind, Date):
        return "日期（如 2024-03-05、2024/3/5、2024年3月5日）"
    if isinstance(kind, Boolean):
        return "是/否"
    return "文本"


def _rows_text(source: str, series: pd.Series, mask: pd.Series, why: str, limit: int = 5) -> str:
    rows = series.index[mask.to_numpy()]
    shown = "、".join(f"第 {i + 1} 个要素（{series[i]!r}）" for i in rows[:limit])
    more = f" 等 {len(rows)} 处" if len(rows) > limit else ""
    return f"字段 {source} {why}：{shown}{more}"


def _check_required_values(
    spec: LayerSpec, columns: pd.DataFrame, mapping: dict[str, str], problems: list[str]
) -> None:
    for name in required_columns(spec):
        empty = columns[name].isna()
        if empty.any():
            problems.append(_rows_text(mapping[name], columns[name], empty, "为空（必填）"))


def _check_unique(
    spec: LayerSpec, columns: pd.DataFrame, mapping: dict[str, str], problems: list[str]
) -> None:
    for column in model_columns(spec):
        if not column.unique or column.name not in mapping:
            continue
        series = columns[column.name]
        dup = series.notna() & series.duplicated(keep=False)
        if dup.any():
            problems.append(_rows_text(mapping[column.name], series, dup, "重复（应唯一）"))


def _value_error(spec: LayerSpec, problems: list[str]) -> InvalidInputError:
    return InvalidInputError(
        f"图层 {spec.key}（{spec.name_zh}）的属性值有误（invalid attribute values）："
        + "；".join(problems)
        + "。",
        hint="请修正属性表中这些要素后重新导入（要素序号从 1 开始，与属性表行号一致）。",
    )


def _derive(layer: str, columns: pd.DataFrame, mapping: dict[str, str]) -> list[str]:
    """Fill columns a survey defines from others (三调: TBDLMJ = TBMJ − KCMJ)."""
    if layer == "farmland" and "tbdlmj" not in mapping and "tbmj" in mapping:
        kcmj = columns["kcmj"].astype("float64").fillna(0.0)
        columns["tbdlmj"] = columns["tbmj"].astype("float64") - kcmj
        return ["属性表无 TBDLMJ（图斑地类面积），已按 TBMJ − KCMJ 计算。"]
    if layer == "projects":
        return _default_status(columns, mapping)
    return []


def _default_status(columns: pd.DataFrame, mapping: dict[str, str]) -> list[str]:
    """A project without a status is 拟建, which never counts as occupation: say so, since a
    register of approved projects loaded without its status field would vanish from the list."""
    blank = columns["status"].isna()
    if not blank.any():
        return []
    columns["status"] = columns["status"].where(~blank, PROJECT_STATUSES[0])
    counted = "、".join(OCCUPYING_STATUSES)
    where = (
        f"属性表无项目状态字段（{'、'.join(accepted_names('projects', 'status')[:3])}）"
        if "status" not in mapping
        else f"字段 {mapping['status']} 有 {int(blank.sum())} 个要素为空"
    )
    return [
        f"{where}，这些项目按 拟建 导入：拟建项目只用于压占分析，不计入底线清单的占用"
        f"（只有 {counted} 的项目计入）。如为已批准或已建项目，请补充项目状态后重新导入。"
    ]


def _alias_notes(layer: str, fields: pd.Index, mapping: dict[str, str]) -> list[str]:
    """Warn when a field that names a column lost to a better alias (kept in ``extra``)."""
    notes = []
    used = set(mapping.values())
    for column, source in mapping.items():
        also = [
            f
            for f in fields
            if f not in used and _fold(f) in {_fold(a) for a in accepted_names(layer, column)}
        ]
        if also:
            notes.append(
                f"字段 {column} 取自 {source}；同义字段 {'、'.join(also)} 保存在 extra 中。"
            )
    return notes
