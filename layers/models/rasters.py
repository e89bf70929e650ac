"""Registered rasters (栅格数据): one Cloud-Optimized GeoTIFF per kind, described in PostGIS.

The pixels stay in a file under ``var_dir/rasters`` (a COG that rio-tiler reads by window);
the table keeps what the platform needs to find, describe and trust it: its CRS, resolution,
extent (EPSG:4490, so it meets the vector layers in SQL), nodata, value range, checksum,
source and as-of. One row per kind: loading a kind again replaces the row and the file.
"""

import datetime as dt

from geoalchemy2 import WKBElement
from sqlalchemy import CheckConstraint, Date, DateTime, Float, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from layers.models.base import Base, geometry_column, in_list

RASTER_KINDS = ("dem", "landcover", "ortho")


class Raster(Base):
    __tablename__ = "rasters"
    __table_args__ = (CheckConstraint(in_list("kind", RASTER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), unique=True)
    path: Mapped[str] = mapped_column(String(255))  # relative to var_dir
    source: Mapped[str] = mapped_column(String(255))  # the file name as given
    sha256: Mapped[str] = mapped_column(String(64))  # of the source file
    epsg: Mapped[int] = mapped_column(Integer)
    res_x: Mapped[float] = mapped_column(Float)  # in the CRS's units
    res_y: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bands: Mapped[int] = mapped_column(Integer)
    dtype: Mapped[str] = mapped_column(String(16))
    nodata: Mapped[float | None] = mapped_column(Float)
    value_min: Mapped[float | None] = mapped_column(Float)  # first band, valid pixels
    value_max: Mapped[float | None] = mapped_column(Float)
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    loaded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    actor: Mapped[str | None] = mapped_column(String(100))
    extent: Mapped[WKBElement] = geometry_column("POLYGON")
