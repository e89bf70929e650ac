"""Protected and planning zones: 生态保护红线, 城镇开发边界, 饮用水水源保护区."""

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, in_list, valid_geometry_checks

PROTECTION_LEVELS = ("一级", "二级", "准保护区")


class EcoRedline(LayerMixin, Base):
    __tablename__ = "eco_redline"
    __table_args__ = (
        *valid_geometry_checks(),
        CheckConstraint("area_m2 IS NULL OR area_m2 >= 0", name="area"),
    )

    code: Mapped[str | None] = mapped_column(String(32), unique=True)  # 红线编码
    name: Mapped[str] = mapped_column(String(100))  # 红线名称 (HXMC/MC)
    redline_type: Mapped[str | None] = mapped_column(String(60))  # 红线类型 (LXDM/HXLX)
    area_m2: Mapped[float | None] = mapped_column(Float)  # declared area (MJ/QYMJ)
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")


class UrbanBoundary(LayerMixin, Base):
    __tablename__ = "urban_boundary"
    __table_args__ = valid_geometry_checks()

    name: Mapped[str] = mapped_column(String(100))
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")


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
