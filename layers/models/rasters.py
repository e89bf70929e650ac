"""Registered rasters (栅格数据): one Cloud-Optimized GeoTIFF per kind, described in PostGIS.

The pixels stay in a file under ``var_dir/rasters`` (a COG that rio-tiler reads by window);
the table keeps what the platform needs to find, describe and trust it: its CRS, resolution,
extent (EPSG:4490, so it meets the vector layers in SQL), nodata, value range, checksum,
source and as-of. One row per kind: loading a kind again replaces the row and the file.
"""

import datetime as dt

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
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


class Catchment(Base):
    """A monitoring section's catchment (集水区) and incremental catchment (区间集水区), from
    the registered DEM (:mod:`layers.catchments`); geometries are null, with the reason, for a
    section too far from any river to be delineated."""

    __tablename__ = "catchments"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("sections.code", onupdate="CASCADE", ondelete="CASCADE"), unique=True
    )
    downstream_code: Mapped[str | None] = mapped_column(String(32))
    snap_distance_m: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    incremental_km2: Mapped[float | None] = mapped_column(Float)
    catchment_km2: Mapped[float | None] = mapped_column(Float)
    dem_sha256: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    incremental: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4490, spatial_index=True), nullable=True
    )
    catchment: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4490, spatial_index=True), nullable=True
    )
