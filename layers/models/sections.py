"""Water-quality monitoring sections (监测断面); their samples are in ``samples.py``."""

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from gis.baseline import CONTROL_LEVELS
from gis.compliance import SOURCE_LEVELS
from layers.models.base import Base, LayerMixin, geometry_column, in_list

WATERBODIES = ("river", "lake")  # river, or lake/reservoir (湖库)


class Section(LayerMixin, Base):
    __tablename__ = "sections"
    __table_args__ = (
        CheckConstraint(in_list("control_level", CONTROL_LEVELS), name="control_level"),
        CheckConstraint(in_list("waterbody", WATERBODIES), name="waterbody"),
        CheckConstraint("target_grade BETWEEN 1 AND 5", name="target_grade"),
        CheckConstraint(
            "drinking_source_level IS NULL OR " + in_list("drinking_source_level", SOURCE_LEVELS),
            name="drinking_source_level",
        ),
    )

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    control_level: Mapped[str] = mapped_column(String(4))
    waterbody: Mapped[str] = mapped_column(String(8))
    target_grade: Mapped[int] = mapped_column(SmallInteger)  # 1..5 = Ⅰ..Ⅴ
    river: Mapped[str | None] = mapped_column(String(100))
    reservoir_code: Mapped[str | None] = mapped_column(String(32))
    drinking_source: Mapped[bool] = mapped_column(default=False)
    drinking_source_level: Mapped[str | None] = mapped_column(String(8))  # 地市级/县级/乡镇级
    geom: Mapped[WKBElement] = geometry_column("POINT")
