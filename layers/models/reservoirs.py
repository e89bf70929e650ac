"""Reservoirs (水库): scale, levels, capacity and dam-safety appraisal (大坝安全鉴定)."""

import datetime as dt

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, Date, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, in_list

SCALES = ("大型", "中型", "小型")
APPRAISAL_RESULTS = ("一类坝", "二类坝", "三类坝")  # 三类坝 = 病险水库


class Reservoir(LayerMixin, Base):
    __tablename__ = "reservoirs"
    __table_args__ = (
        CheckConstraint(in_list("scale", SCALES), name="scale"),
        CheckConstraint("capacity_10k_m3 IS NULL OR capacity_10k_m3 >= 0", name="capacity"),
        CheckConstraint(
            "flood_limit_level_m IS NULL OR normal_level_m IS NULL "
            "OR flood_limit_level_m <= normal_level_m + 50",
            name="levels",
        ),
        CheckConstraint(
            f"appraisal_result IS NULL OR {in_list('appraisal_result', APPRAISAL_RESULTS)}",
            name="appraisal_result",
        ),
    )

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    scale: Mapped[str] = mapped_column(String(8))  # 中型 / 小型 (大型 allowed for other districts)
    normal_level_m: Mapped[float | None] = mapped_column(Float)  # 正常蓄水位
    flood_limit_level_m: Mapped[float | None] = mapped_column(Float)  # 汛限水位
    capacity_10k_m3: Mapped[float | None] = mapped_column(Float)  # 总库容 (万 m³)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    last_appraisal_on: Mapped[dt.date | None] = mapped_column(Date)  # 最近一次安全鉴定
    appraisal_result: Mapped[str | None] = mapped_column(String(4))  # 一类坝/二类坝/三类坝
    drinking_source: Mapped[bool] = mapped_column(default=False)  # 饮用水水源地
    bloom_risk: Mapped[bool] = mapped_column(default=False)  # 水华风险
    geom: Mapped[WKBElement] = geometry_column("POINT")
