"""Proposed projects (拟建项目) submitted for red-line checking, and their reports."""

import datetime as dt
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import DateTime, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, LayerMixin, geometry_column, valid_geometry_checks


class Project(LayerMixin, Base):
    __tablename__ = "projects"
    __table_args__ = valid_geometry_checks()

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(60))  # e.g. 建设项目
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # the overlap report as saved
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
