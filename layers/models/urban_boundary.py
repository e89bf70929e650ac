"""城镇开发边界 (urban development boundary)."""

from geoalchemy2 import WKBElement
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, valid_geometry_checks


class UrbanBoundary(LayerMixin, Base):
    __tablename__ = "urban_boundary"
    __table_args__ = valid_geometry_checks()

    name: Mapped[str] = mapped_column(String(100))
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
