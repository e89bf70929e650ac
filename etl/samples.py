"""Water-quality samples (水质监测数据) from CSV/XLSX lab sheets, in one transaction.

Two layouts are accepted:

* long — one reading per row: section, date, indicator, value (optional detection limit);
* wide — one row per section and date, one column per indicator; headers may be the keys
  (``nh3n``) or the Chinese names (``氨氮（mg/L）``), see :func:`gis.water_quality.indicator_key`.
  A column ``<indicator>检出限`` (or ``<key>_dl``) gives the detection limit of ``ND`` cells.

The section is given by code or by name and must exist in ``sections`` (checked in the same
transaction as the insert). Dates: 2024-03-05, 2024/3/5, 2024年3月5日, 20240305, or a month
(2024-03, stored as its first day). Values go through :func:`gis.lab_values.parse_lab_value`:
``0.01L`` and ``<0.01`` are below-detection results with limit 0.01 (stored as value NULL,
``below_dl``, ``detection_limit``); ``ND``/``未检出`` need a detection-limit column. Any unknown
section, unreadable date or value, negative concentration or pH above 14 refuses the whole
file, every problem named by its row (in the long layout an unknown indicator too, as it is
more likely a misspelling). Blank cells are "not measured" and skipped.

A wide sheet's columns that name no GB 3838 item (电导率, 浊度 …) are kept as written in
``sample_extras`` and listed in the load report as not evaluated. The GB 3838 Table 2 items
(硫酸盐, 氯化物, 硝酸盐, 铁, 锰) load as indicators and are judged at drinking-water sources only.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Engine

from etl import values
from etl.pgload import copy_frame, copy_kind, explain_error, require_table
from etl.readers import file_sha256
from etl.report import LoadReport, Progress, silent
from gis.errors import EncodingError, InvalidInputError
from gis.lab_values import parse_lab_value
from gis.water_quality import DRINKING_KEYS, INDICATORS, indicator_key
from layers.models.samples import Sample, SampleExtra
from layers.sql import composed

_SECTION_CODE = ("断面编码", "断面代码", "断面编号", "section_code", "dmbm", "code")
_SECTION_NAME = (
    "断面名称",
    "断面",
    "监测断面",
    "section",
    "section_name",
    "dmmc",
    "点位",
    "点位名称",
)
_DATE = (
    "日期",
    "采样日期",
    "监测日期",
    "采样时间",
    "监测时间",
    "时间",
    "月份",
    "监测月份",
    "date",
    "sampled_on",
)
_INDICATOR = ("指标", "监测项目", "项目", "指标名称", "监测指标", "参数", "indicator", "item")
_VALUE = ("值", "监测值", "结果", "测定值", "浓度", "数值", "value", "result")
_LIMIT = ("检出限", "detection_limit", "dl")
_IGNORED = (
    "序号", "编号", "备注", "河流", "所属河流", "河流名称", "控制级别", "断面级别", "水期", "天气",
    "单位", "水体", "水体类型", "数据来源", "采样人", "评价类别", "水质类别", "是否达标",
    "超标项目", "超标倍数", "no", "remark", "river", "unit",
)  # fmt: skip
_MAX_LISTED = 20
_KINDS = {c.name: copy_kind(c) for c in Sample.__table__.columns if c.name != "id"}
_EXTRA_KINDS = {c.name: copy_kind(c) for c in SampleExtra.__table__.columns if c.name != "id"}
_UNIT = "行"


def _fold(text: object) -> str:
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    folded = re.sub(r"\s+", "", folded)
    return re.sub(r"\([^()]*\)$", "", folded)  # a trailing unit: 氨氮(mg/L)


_HEADER_ROLES = {
    **dict.fromkeys(map(_fold, _SECTION_CODE), "section_code"),
    **dict.fromkeys(map(_fold, _SECTION_NAME), "section_name"),
    **dict.fromkeys(map(_fold, _DATE), "date"),
    **dict.fromkeys(map(_fold, _INDICATOR), "indicator"),
    **dict.fromkeys(map(_fold, _VALUE), "value"),
    **dict.fromkeys(map(_fold, _LIMIT), "limit"),
    **dict.fromkeys(map(_fold, _IGNORED), "ignored"),
}


def load_samples(
    engine: Engine,
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load a CSV/XLSX of samples; rows of the same source file are replaced."""
    progress = progress or silent
    started = time.perf_counter()
    path = Path(path)
    progress("读取文件", 0.0)
    table, used_encoding, reason = read_table(path, encoding, sheet)
    long, extras = to_long(table)
    report = LoadReport(
        layer="samples",
        layer_name="水质监测数据",
        source=path.name,
        sha256=file_sha256(path),
        read=len(long),
        encoding=used_encoding,
        encoding_reason=reason,
    )
    with engine.begin() as conn:
        pg: psycopg.Connection = conn.connection.driver_connection
        cur = pg.cursor()
        require_table(cur, "samples")
        progress("校验", 0.2)
        codes = _section_codes(cur)
        rows = _validate(long, codes, report)
        kept = _extras(extras, codes, report)
        report.replaced = cur.execute(
            composed("load_samples_delete"), {"source": report.source}
        ).rowcount
        cur.execute(composed("load_sample_extras_delete"), {"source": report.source})
        rows["source"] = report.source
        kept["source"] = report.source
        for table, frame, kinds, span in (
            ("samples", rows, _KINDS, (0.3, 0.8)),
            ("sample_extras", kept, _EXTRA_KINDS, (0.8, 0.9)),
        ):
            try:
                with pg.transaction():
                    data = frame.drop(columns="_row")
                    copy_frame(cur, table, data, kinds, progress, "写入", span)
            except psycopg.Error as exc:
                raise explain_error(
                    exc,
                    cur,
                    label="samples（水质监测数据）",
                    table=table,
                    unit=_UNIT,
                    copy_rows=frame["_row"].to_numpy(),
                ) from exc
        report.loaded = len(rows)
        params = {"layer": "samples", "source": report.source, "sha256": report.sha256}
        params |= {"actor": actor, "report": Jsonb(report.to_dict())}
        report.load_id = cur.execute(composed("load_record_load"), params).fetchone()[0]
        cur.execute("ANALYZE samples")
    report.seconds = round(time.perf_counter() - started, 3)
    progress("完成", 1.0)
    return report


# --- reading --------------------------------------------------------------------------------


def read_table(
    path: Path, encoding: str | None, sheet: str | None = None
) -> tuple[pd.DataFrame, str | None, str]:
    """The sheet as text/objects, with the encoding used (CSV) and why."""
    if not path.is_file():
        raise InvalidInputError(f"找不到文件 {path}（file not found）。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
        except (ValueError, KeyError, OSError) as exc:
            raise InvalidInputError(
                f"无法读取 Excel 文件 {path.name}（unreadable workbook）：{exc}",
                hint="请另存为 .xlsx 后重试；多个工作表时用 --sublayer 指定表名。",
            ) from exc
        return frame, None, "Excel 工作簿（文本为 Unicode，无需判断编码）"
    if suffix != ".csv":
        raise InvalidInputError(
            f"水质数据只支持 .csv 或 .xlsx，收到 {path.suffix}（unsupported format）。"
        )
    raw = path.read_bytes()
    text, used, reason = _decode_csv(raw, encoding)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    return frame, used, reason


def _decode_csv(raw: bytes, encoding: str | None) -> tuple[str, str, str]:
    candidates = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    for codec in candidates:
        try:
            text = raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding:
            return text, codec, f"按 --encoding 指定：{encoding}"
        if codec == "utf-8-sig":
            return text, "utf-8", "CSV 是有效的 UTF-8"
        return text, codec, "CSV 不是 UTF-8，按 GB18030（兼容 GBK，Excel 中文版默认）解码成功"
    raise EncodingError(
        "CSV 文件无法按"
        + ("指定编码" if encoding else " UTF-8 或 GB18030 ")
        + "解码（unknown encoding）。",
        hint="请用 --encoding 指定，或在 Excel 中另存为“CSV UTF-8”。",
    )


def to_long(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One reading per row: ``_row`` (sheet row), section, date, indicator, value, limit; and
    the cells of a wide sheet's columns that name no GB 3838 item (``name``, ``value``)."""
    roles = {column: _HEADER_ROLES.get(_fold(column)) for column in frame.columns}
    by_role: dict[str, str] = {}
    for column, role in roles.items():
        if role and role != "ignored":
            by_role.setdefault(role, column)
    section = by_role.get("section_code") or by_role.get("section_name")
    if section is None or "date" not in by_role:
        missing = "断面（断面名称/断面编码）" if section is None else "日期"
        raise InvalidInputError(
            f"水质数据缺少“{missing}”列（missing column）。",
            hint="长表列为：断面、日期、指标、值（可选 检出限）；宽表列为：断面、日期、各指标。",
        )
    sheet_row = np.arange(len(frame)) + 2  # row 1 is the header
    base = {"_row": sheet_row, "section": frame[section], "date": frame[by_role["date"]]}
    if "indicator" in by_role and "value" in by_role:
        limit = frame[by_role["limit"]] if "limit" in by_role else None
        long = pd.DataFrame(
            {
                **base,
                "indicator": frame[by_role["indicator"]],
                "value": frame[by_role["value"]],
                "limit": limit,
            }
        )
        return long.reset_index(drop=True), _no_extras()
    return _melt_wide(frame, roles, base)


def _no_extras() -> pd.DataFrame:
    return pd.DataFrame({k: [] for k in ("_row", "section", "date", "name", "value")})


def _melt_wide(frame: pd.DataFrame, roles: dict, base: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    indicators: dict[str, str] = {}
    limits: dict[str, str] = {}
    unknown = []
    for column, role in roles.items():
        if role is not None:
            continue
        header = str(column).strip()
        limit_of = re.sub(r"(检出限|_dl)$", "", header, flags=re.I)
        try:
            if limit_of != header:
                limits[indicator_key(limit_of)] = column
            else:
                indicators[column] = indicator_key(header)
        except InvalidInputError:
            unknown.append(header)
    if not indicators:
        raise InvalidInputError(
            "水质数据（宽表）没有可识别的指标列（no indicator column）"
            + (f"：{'、'.join(unknown)} 都不是 GB 3838 项目。" if unknown else "。"),
            hint="指标列名用 GB 3838 指标名或代码，如 溶解氧/do、氨氮/nh3n、总磷/tp；"
            "说明性的列可命名为 备注。",
        )
    parts = []
    for column, key in indicators.items():
        limit = frame[limits[key]] if key in limits else None
        parts.append(
            pd.DataFrame({**base, "indicator": key, "value": frame[column], "limit": limit})
        )
    long = pd.concat(parts, ignore_index=True).sort_values(["_row"], kind="stable")
    extras = [
        pd.DataFrame({**base, "name": str(column).strip(), "value": frame[column]})
        for column, role in roles.items()
        if role is None and str(column).strip() in unknown
    ]
    return long, pd.concat(extras, ignore_index=True) if extras else _no_extras()


# --- validating -----------------------------------------------------------------------------


def _section_codes(cur: psycopg.Cursor) -> dict[str, str]:
    """Section code or name → code."""
    lookup: dict[str, str] = {}
    for code, name in cur.execute(composed("load_sections_lookup")).fetchall():
        lookup.setdefault(name, code)
        lookup[code] = code
    return lookup


def _validate(long: pd.DataFrame, sections: dict[str, str], report: LoadReport) -> pd.DataFrame:
    """The rows to COPY into ``samples``; every problem refuses the file, named by row."""
    problems: list[tuple[int, str]] = []
    blank = values.blank(long["value"])
    report.dropped = int(blank.sum())
    long = long[~blank].reset_index(drop=True)
    section_text, _ = values.to_text(long["section"])
    codes = section_text.map(sections)
    _flag(problems, long, section_text.notna() & codes.isna(), "未知断面", section_text)
    _flag(problems, long, section_text.isna(), "断面为空", section_text)
    dates, bad_dates = values.to_date(long["date"], allow_month=True)
    _flag(problems, long, bad_dates | dates.isna(), "日期无法识别", long["date"])
    keys = _indicator_keys(long["indicator"])
    _flag(problems, long, keys.isna(), "未知指标", long["indicator"])
    value, below, limit, bad_value, no_limit = _readings(long["value"], long["limit"])
    _flag(problems, long, bad_value, "监测值无法识别", long["value"])
    _flag(problems, long, no_limit, "ND/未检出 缺少检出限（请加“检出限”列）", long["value"])
    negative = (value < 0) & (keys != "temp")
    _flag(problems, long, negative.fillna(False), "浓度不能为负", long["value"])
    _flag(
        problems, long, ((keys == "ph") & (value > 14)).fillna(False), "pH 超过 14", long["value"]
    )
    rows = pd.DataFrame(
        {
            "section_code": codes,
            "sampled_on": dates,
            "indicator": keys,
            "value": value.where(~below),
            "below_dl": below,
            "detection_limit": limit.where(below),
            "_row": long["_row"].to_numpy(),
        }
    )
    reading = ["section_code", "sampled_on", "indicator"]
    dup = rows[reading].notna().all(axis=1) & rows.duplicated(reading, keep=False)
    _flag(problems, long, dup, "同一断面、日期、指标重复", long["indicator"])
    if problems:
        raise _refusal(problems)
    if below.any():
        report.warnings.append(
            f"{int(below.sum())} 个低于检出限的结果（0.01L/ND/<0.01），评价时按检出限一半计。"
        )
    if report.dropped:
        report.warnings.append(f"{report.dropped} 个空白单元格视为未监测，已跳过。")
    _drinking_note(keys, report)
    return rows


def _extras(extras: pd.DataFrame, sections: dict[str, str], report: LoadReport) -> pd.DataFrame:
    """The kept cells of unknown columns, as ``sample_extras`` rows; the columns are listed
    in the report as not evaluated. Their section and date are those of the row's readings,
    already checked by :func:`_validate`; a row without readings is checked here."""
    extras = extras[~values.blank(extras["value"])].reset_index(drop=True)
    columns = list(dict.fromkeys(extras["name"]))
    if columns:
        report.warnings.append(
            f"以下列不是 GB 3838 项目，已原样保存但不参与评价（not evaluated）：{'、'.join(columns)}"
            f"（共 {len(extras)} 个值）。"
        )
    section_text, _ = values.to_text(extras["section"])
    codes = section_text.map(sections)
    dates, bad_dates = values.to_date(extras["date"], allow_month=True)
    problems: list[tuple[int, str]] = []
    _flag(problems, extras, codes.isna(), "未知断面", section_text)
    _flag(problems, extras, bad_dates | dates.isna(), "日期无法识别", extras["date"])
    if problems:
        raise _refusal(problems)
    text, _ = values.to_text(extras["value"])
    return pd.DataFrame(
        {
            "section_code": codes,
            "sampled_on": dates,
            "name": extras["name"],
            "value": text,
            "_row": extras["_row"].to_numpy(),
        }
    )


def _drinking_note(keys: pd.Series, report: LoadReport) -> None:
    present = [k for k in DRINKING_KEYS if (keys == k).any()]
    if present:
        names = "、".join(INDICATORS[k].name for k in present)
        report.warnings.append(
            f"{names} 是 GB 3838 表2 集中式生活饮用水地表水源地补充项目，"
            "只在饮用水水源地断面按其标准限值评价，其他断面只保存不评价。"
        )


def _indicator_keys(series: pd.Series) -> pd.Series:
    text, _ = values.to_text(series)
    lookup = {}
    for name in text.dropna().unique():
        try:
            lookup[name] = indicator_key(name)
        except InvalidInputError:
            lookup[name] = None
    return text.map(lookup)


def _readings(raw: pd.Series, raw_limit: pd.Series):
    """(value, below_dl, limit, unreadable, ND without limit), parsing each distinct text once."""
    number, not_number = values.to_number(raw)
    below = pd.Series(False, index=raw.index)
    limit = pd.Series(np.nan, index=raw.index)
    bad = pd.Series(False, index=raw.index)
    text, _ = values.to_text(raw[not_number])
    for cell in text.dropna().unique():  # the few distinct lab codes: 0.01L, ND, <0.05 …
        at = text.index[(text == cell).to_numpy()]
        try:
            reading = parse_lab_value(cell)
        except InvalidInputError:
            bad[at] = True
            continue
        number[at] = reading.value if reading.value is not None else np.nan
        below[at] = reading.below_detection
        limit[at] = reading.detection_limit if reading.detection_limit else np.nan
    given, bad_limit = values.to_number(raw_limit)
    limit = limit.fillna(given.where(given > 0))
    no_limit = below & limit.isna()
    bad = bad | (bad_limit & below)
    return number, below, limit, bad, no_limit


def _flag(problems: list, long: pd.DataFrame, mask: pd.Series, why: str, shown: pd.Series) -> None:
    mask = pd.Series(mask, index=long.index).fillna(False).astype(bool)
    for i in np.flatnonzero(mask.to_numpy())[:_MAX_LISTED]:
        cell = shown.iloc[i]
        problems.append((int(long["_row"].iloc[i]), f"{why}“{'' if pd.isna(cell) else cell}”"))


def _refusal(problems: list[tuple[int, str]]) -> InvalidInputError:
    problems = sorted(set(problems))
    listed = "；".join(f"第 {row} 行：{why}" for row, why in problems[:_MAX_LISTED])
    more = f"；等共 {len(problems)} 处" if len(problems) > _MAX_LISTED else ""
    return InvalidInputError(
        f"水质数据有误，整个文件未导入（samples file refused）：{listed}{more}。",
        hint="请修正这些行后重新导入；断面须已在断面图层中（按编码或名称），"
        "指标用 GB 3838 名称或代码，低于检出限写作 0.01L、<0.01，ND 需附检出限。",
    )
