"""Rivers (河流)."""

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column


class River(LayerMixin, Base):
    __tablename__ = "rivers"
    __table_args__ = (CheckConstraint("ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="geom_ok"),)

    name: Mapped[str] = mapped_column(String(100), index=True)
    alias: Mapped[str | None] = mapped_column(String(100))  # e.g. 府澴河 (涢水)
    geom: Mapped[WKBElement] = geometry_column("MULTILINESTRING")
