"""One JSON object per row of a DataFrame, built a column at a time (no per-row Python).

The loader keeps a file's unknown fields as JSONB (``extra``). pandas' ``to_json`` writes
floats with a fixed ten decimals: 56083643.09 became 56083643.0900000036 and 1.5e-12 became
0.0. Here every distinct value is written once as its JSON token — numbers as the shortest
text that reads back as the same double (Python's ``repr``), strings escaped by ``json`` —
and the tokens are joined into objects with numpy's vectorised string concatenation.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from numbers import Integral, Real

import numpy as np
import pandas as pd

_STR = np.dtypes.StringDType()


def json_objects(frame: pd.DataFrame) -> pd.Series:
    """``{"field": value, …}`` for each row, fields in column order, missing values null."""
    if frame.shape[1] == 0:
        return pd.Series("{}", index=frame.index, dtype=object)
    rows = np.full(len(frame), "", dtype=_STR)
    for i, name in enumerate(frame.columns):
        key = ("{" if i == 0 else ",") + json.dumps(str(name), ensure_ascii=False) + ":"
        rows = np.strings.add(np.strings.add(rows, key), _tokens(frame[name]))
    return pd.Series(np.strings.add(rows, "}").astype(object), index=frame.index)


def _tokens(series: pd.Series) -> np.ndarray:
    """Each value's JSON token, computed once per distinct value."""
    codes, uniques = pd.factorize(series)  # missing values get code −1
    tokens = np.array([*(token(u) for u in uniques), "null"], dtype=_STR)
    return tokens[codes]


def token(value: object) -> str:
    """The JSON text of one attribute value (what a DBF, GeoPackage or GeoJSON field holds)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        return repr(number) if math.isfinite(number) else "null"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        text = stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
        return json.dumps(text)
    if isinstance(value, dt.date):
        return json.dumps(value.isoformat())
    return json.dumps(str(value), ensure_ascii=False)
