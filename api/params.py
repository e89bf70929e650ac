"""Request parameters and media types shared by several route modules (so no route module
imports another)."""

from typing import Annotated

from fastapi import Query

#: A period as the checks take it: a year 2025, a quarter 2025-Q2 or a month 2025-06.
PERIOD_PATTERN = r"^\d{4}(-\d{1,2}|-[Qq][1-4])?$"
#: The Excel workbook media type of the downloads.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

UnitQuery = Annotated[
    str | None,
    Query(max_length=100, description="片区编码或名称；缺省为全区及各片区", examples=["涢水片区"]),
]
PeriodQuery = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        description="时段：年份 2025、季度 2025-Q2 或年月 2025-06；缺省为有断面满足年度样本数要求的最近一年",
        examples=["2025"],
    ),
]
#: A section's period: without one, its latest month with data (a section's own view).
SectionPeriodQuery = Annotated[
    str | None,
    Query(
        pattern=PERIOD_PATTERN,
        description="时段：年份 2025、季度 2025-Q2 或年月 2025-06；缺省为该断面最近有数据的月份",
        examples=["2025-06"],
    ),
]
ListQuery = Annotated[
    str | None,
    Query(
        alias="list",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="清单名称（data/baselines/<name>.yaml）；缺省为在用的清单",
        examples=["zengdu"],
    ),
]
