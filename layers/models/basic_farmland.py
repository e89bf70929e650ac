"""永久基本农田图斑 (YJJBNTTB)."""

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import (
    Base,
    LayerMixin,
    ellipsoidal_area_column,
    geometry_column,
    valid_geometry_checks,
)


class BasicFarmland(LayerMixin, Base):
    """永久基本农田图斑 (YJJBNTTB)."""

    __tablename__ = "basic_farmland"
    __table_args__ = (
        *valid_geometry_checks(),
        CheckConstraint("yjjbntmj IS NULL OR yjjbntmj >= 0", name="yjjbntmj"),
    )

    yjjbnttbbh: Mapped[str | None] = mapped_column(String(32), unique=True)  # 图斑编号
    dlbm: Mapped[str | None] = mapped_column(String(8))
    dlmc: Mapped[str | None] = mapped_column(String(60))
    zldwmc: Mapped[str | None] = mapped_column(String(100))
    yjjbntmj: Mapped[float | None] = mapped_column(Float)  # 永久基本农田面积 m²
    # 椭球面积 m², kept by PostgreSQL (migration 0013; LayerSpec.ellipsoidal_area_field)
    ellipsoidal_m2: Mapped[float | None] = ellipsoidal_area_column()
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
