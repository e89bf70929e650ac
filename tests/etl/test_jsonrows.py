"""etl.jsonrows: one JSON object per row, built column-wise, values exactly as held."""

import json

import numpy as np
import pandas as pd

from etl.jsonrows import json_objects


def test_objects_hold_each_value_exactly_and_missing_as_null() -> None:
    frame = pd.DataFrame(
        {
            "MJ": [56083643.09, 1.5e-12, np.nan],
            "备注": ['引号"与\\反斜杠', None, "㵐水"],
            "SL": pd.array([3, None, -1], dtype="Int64"),
            "RQ": pd.to_datetime(["2024-01-02", None, "2024-03-04 08:30"], format="ISO8601"),
            "SF": [True, False, None],
        }
    )
    objects = [json.loads(text) for text in json_objects(frame)]
    assert objects == [
        {"MJ": 56083643.09, "备注": '引号"与\\反斜杠', "SL": 3, "RQ": "2024-01-02", "SF": True},
        {"MJ": 1.5e-12, "备注": None, "SL": None, "RQ": None, "SF": False},
        {"MJ": None, "备注": "㵐水", "SL": -1, "RQ": "2024-03-04T08:30:00", "SF": None},
    ]
    assert json_objects(frame).iloc[0].startswith('{"MJ":56083643.09,"备注":"引号')  # no noise


def test_no_fields_give_empty_objects() -> None:
    frame = pd.DataFrame(index=range(2))
    assert json_objects(frame).tolist() == ["{}", "{}"]
