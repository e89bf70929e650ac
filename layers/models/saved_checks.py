"""Saved red-line checks (已保存的核查): what-ifs drawn or uploaded on the map, kept with the
report of the day they were checked.

Not a layer: no layer endpoint, export or ``/ogc`` collection serves this table, because a saved
check is its owner's working paper (who checked what is not for every viewer). The bureau's
own project register (拟建/已批/在建/已建, loaded from files) is ``projects``.
"""

import datetime as dt
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import DateTime, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, geometry_column, valid_geometry_checks


class SavedCheck(Base):
    __tablename__ = "saved_checks"
    __table_args__ = valid_geometry_checks()

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(100), index=True)  # the token's name
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    report: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the overlap report as saved
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
