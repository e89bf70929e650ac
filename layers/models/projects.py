"""Projects (建设项目): the bureau's register as loaded from its files: proposed (拟建) and
approved or built ones (已批/在建/已建), which the list counts as occupation. Checks saved
from the map are not projects (:mod:`layers.models.saved_checks`)."""

import datetime as dt

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gis.compliance import PROJECT_STATUSES
from layers.models.base import Base, LayerMixin, geometry_column, in_list, valid_geometry_checks


class Project(LayerMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        *valid_geometry_checks(),
        CheckConstraint(in_list("status", PROJECT_STATUSES), name="status"),
    )

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(60))  # e.g. 建设项目
    status: Mapped[str] = mapped_column(String(4), server_default="拟建")  # 项目状态
    approval_no: Mapped[str | None] = mapped_column(String(100))  # 批准文号
    approved_on: Mapped[dt.date | None] = mapped_column(Date)  # 批准日期
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON")
