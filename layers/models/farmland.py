"""地类图斑 of the 三调 survey (layer key ``farmland``): 耕地 is the 0101/0102/0103 parcels."""

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


class LandParcel(LayerMixin, Base):
    """地类图斑 (DLTB). The layer key is ``farmland``: 耕地 = DLBM 0101/0102/0103."""

    __tablename__ = "farmland"
    __table_args__ = (
        *valid_geometry_checks(),
        # 三调 codes: 01, 0101, 0201K, 05H1, 08H2, 1203 (two digits, then two digits or letters).
        CheckConstraint("dlbm ~ '^[0-9]{2}([0-9A-Z]{2})?[A-Z]?$'", name="dlbm"),
        CheckConstraint("tbmj IS NULL OR tbmj >= 0", name="tbmj"),
        CheckConstraint("kcmj IS NULL OR kcmj >= 0", name="kcmj"),
        CheckConstraint("tbdlmj IS NULL OR tbdlmj >= 0", name="tbdlmj"),
        CheckConstraint("kcxs IS NULL OR (kcxs >= 0 AND kcxs < 1)", name="kcxs"),
    )

    bsm: Mapped[str | None] = mapped_column(String(32), unique=True)  # 标识码
    dlbm: Mapped[str] = mapped_column(String(8), index=True)  # 地类编码
    dlmc: Mapped[str | None] = mapped_column(String(60))  # 地类名称
    qsdwdm: Mapped[str | None] = mapped_column(String(19))
    qsdwmc: Mapped[str | None] = mapped_column(String(100))
    zldwdm: Mapped[str | None] = mapped_column(String(19))
    zldwmc: Mapped[str | None] = mapped_column(String(100))  # 坐落单位名称
    tbmj: Mapped[float | None] = mapped_column(Float)  # 图斑面积 m²
    kcdlbm: Mapped[str | None] = mapped_column(String(8))  # 扣除地类编码 (e.g. 1203 田坎)
    kcxs: Mapped[float | None] = mapped_column(Float)  # 扣除地类系数
    kcmj: Mapped[float | None] = mapped_column(Float)  # 扣除地类面积 m²
    tbdlmj: Mapped[float | None] = mapped_column(Float)  # 图斑地类面积 = TBMJ − KCMJ
    # 椭球面积 m², kept by PostgreSQL (migration 0013; LayerSpec.ellipsoidal_area_field)
    ellipsoidal_m2: Mapped[float | None] = ellipsoidal_area_column()
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
