"""生态保护红线 (ecological protection red line)."""

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, valid_geometry_checks


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
