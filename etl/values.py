"""Column parsers (字段值解析): text, numbers, dates and yes/no as bureau files write them.

Each parser takes a pandas Series as read from the file and returns the parsed Series and a
boolean mask of the cells that were present but could not be read, so the caller can name the
offending rows. Text goes through numpy's string dtype (C loops), numbers through pandas; the
one per-cell check left is telling Excel's date cells from text in object columns.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Compared as written (numpy's string dtype has no vectorised lower()), so each spelling is listed.
_BLANK = ("", "-", "nan", "NaN", "NAN", "none", "None", "NONE", "null", "Null", "NULL", "<null>", "<Null>", "<NULL>")  # fmt: skip
_STRINGS = np.dtypes.StringDType()


def stripped_text(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Cells as stripped strings (numpy StringDType, C loops) and the mask of blank ones.

    Blank means NaN/None, empty or whitespace-only, or a null spelling (``<Null>``, ``-``).
    """
    codes, text, blank = _distinct_stripped(series)
    # code −1 (missing) picks the appended "" and True
    return np.append(text, "").astype(_STRINGS)[codes], np.append(blank, True)[codes]


def _distinct_stripped(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code per cell, −1 = missing; each distinct value stripped; which of them are blank).

    Survey columns repeat a few hundred names over 10⁵ features, so stripping and comparing
    once per distinct value instead of once per cell is most of the work saved.
    """
    codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    text = np.strings.strip(np.asarray(uniques, dtype=object).astype(_STRINGS))
    blank = np.isin(text, np.array(_BLANK, dtype=_STRINGS))
    return codes, text, blank


def blank(series: pd.Series) -> pd.Series:
    """True for missing cells: NaN/None, empty or whitespace-only text, ``<Null>`` …"""
    if series.dtype.kind in "fiubM":
        return series.isna()
    return pd.Series(stripped_text(series)[1], index=series.index)


def to_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text, stripped; integral floats lose their ``.0`` (a DBF N field holding a code)."""
    if series.dtype.kind == "f":
        whole = series.notna() & (series == np.floor(series.fillna(0)))
        series = series.astype(object).where(~whole, series[whole].astype("int64").astype(str))
    elif series.dtype.kind == "M":
        series = series.dt.strftime("%Y-%m-%d")
    codes, text, empty = _distinct_stripped(series)
    distinct = np.where(empty, None, text.astype(object))
    out = np.append(distinct, None)[codes]  # code −1 (missing) picks the trailing None
    return pd.Series(out, index=series.index, dtype=object), pd.Series(False, index=series.index)


def text_length(series: pd.Series) -> np.ndarray:
    """Characters per cell (0 when missing), as PostgreSQL's varchar(n) counts them."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    lengths = np.strings.str_len(np.asarray(uniques, dtype=object).astype(_STRINGS))
    return np.append(lengths, 0)[codes]


def to_number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats; text with thousands separators or full-width digits is accepted."""
    missing = blank(series)
    if series.dtype.kind in "fiu":
        out = series.astype("float64")
    else:
        text = series.astype("string").str.strip().str.replace(",", "", regex=False)
        text = text.str.normalize("NFKC")
        out = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
    bad = ~missing & (out.isna() | ~np.isfinite(out.fillna(0)))
    return out.where(~missing), bad


_YEAR = r"\d{4}"
_MONTH = r"\d{4}-\d{1,2}"
_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
_COMPACT = r"\d{8}"


def to_date(
    series: pd.Series, *, allow_month: bool = False, allow_year: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Dates from 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305 or real dates.

    ``allow_month`` accepts a month (2024-03, 2024年3月) as its first day; ``allow_year`` a
    bare year (1958) as 1 January. Returns a Series of ``datetime.date`` (None when blank).
    """
    missing = blank(series)
    if series.dtype.kind == "M":
        parsed = series
    else:
        parsed = _parse_date_text(series, allow_month, allow_year)
        # Excel cells already holding dates arrive as datetime objects among the text.
        objects = series.map(lambda v: isinstance(v, dt.date))
        if objects.any():
            parsed = parsed.copy()
            parsed[objects] = pd.to_datetime(series[objects])
    bad = ~missing & parsed.isna()
    dates = parsed.dt.date.astype(object).where(~missing & parsed.notna(), None)
    return dates, bad


def _parse_date_text(series: pd.Series, allow_month: bool, allow_year: bool) -> pd.Series:
    text = series.astype("string").str.strip().str.normalize("NFKC")
    text = text.str.replace(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", regex=True)  # time part
    text = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    text = text.str.rstrip("-")
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    forms = [(_DAY, "%Y-%m-%d"), (_COMPACT, "%Y%m%d")]
    if allow_month:
        forms.append((_MONTH, "%Y-%m"))
    if allow_year:
        forms.append((_YEAR, "%Y"))
    for pattern, fmt in forms:
        match = text.str.fullmatch(pattern).fillna(False).astype(bool)
        if match.any():
            parsed[match] = pd.to_datetime(text[match], format=fmt, errors="coerce")
    return parsed


_TRUE = {"1", "是", "y", "yes", "t", "true", "√", "有"}
_FALSE = {"0", "否", "n", "no", "f", "false", "×", "无"}


def to_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yes/no from 是/否, Y/N, 1/0, true/false (blank stays None)."""
    missing = blank(series)
    text = series.astype("string").str.strip().str.lower().str.removesuffix(".0")
    out = pd.Series(None, index=series.index, dtype=object)
    out[text.isin(_TRUE).fillna(False).astype(bool)] = True
    out[text.isin(_FALSE).fillna(False).astype(bool)] = False
    bad = ~missing & out.isna()
    return out.where(~missing, None), bad
