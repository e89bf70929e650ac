"""District boundary (行政区界): the district the list and the checks speak for."""

from geoalchemy2 import WKBElement
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, valid_geometry_checks


class District(LayerMixin, Base):
    __tablename__ = "district"
    __table_args__ = valid_geometry_checks()

    code: Mapped[str] = mapped_column(String(12), unique=True)  # adcode, e.g. 421303
    name: Mapped[str] = mapped_column(String(100))
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
