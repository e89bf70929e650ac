"""Watershed units (流域片区): the areas the list gives lines for."""

from geoalchemy2 import WKBElement
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, valid_geometry_checks


class Unit(LayerMixin, Base):
    __tablename__ = "units"
    __table_args__ = valid_geometry_checks()

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
