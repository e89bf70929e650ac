"""饮用水水源保护区 (drinking-water source protection zones)."""

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, in_list, valid_geometry_checks

PROTECTION_LEVELS = ("一级", "二级", "准保护区")


class WaterSourceZone(LayerMixin, Base):
    __tablename__ = "water_source_zones"
    __table_args__ = (
        *valid_geometry_checks(),
        CheckConstraint(in_list("level", PROTECTION_LEVELS), name="level"),
    )

    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(8))  # 一级 / 二级 / 准保护区
    source_name: Mapped[str | None] = mapped_column(String(100))  # e.g. 先觉庙水库
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
