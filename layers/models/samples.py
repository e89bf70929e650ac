"""Water-quality samples (监测数据, long format): one row per section, date and indicator."""

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gis.water_quality import INDICATOR_KEYS
from layers.models.base import Base, in_list


class Sample(Base):
    """One measured value: a section, a date, an indicator (DOMAIN.md §2 keys).

    A result below the detection limit (``0.01L``) keeps ``value`` NULL and its limit;
    the assessment counts it as half the limit.
    """

    __tablename__ = "samples"
    __table_args__ = (
        UniqueConstraint("section_code", "sampled_on", "indicator", name="uq_samples_reading"),
        CheckConstraint(in_list("indicator", INDICATOR_KEYS), name="indicator"),
        CheckConstraint("value IS NULL OR value >= 0 OR indicator = 'temp'", name="value"),
        CheckConstraint("indicator <> 'ph' OR value IS NULL OR value <= 14", name="ph"),
        CheckConstraint(
            "(below_dl AND value IS NULL AND detection_limit > 0) OR "
            "(NOT below_dl AND value IS NOT NULL)",
            name="below_dl",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_code: Mapped[str] = mapped_column(
        ForeignKey("sections.code", onupdate="CASCADE", ondelete="CASCADE"), index=True
    )
    sampled_on: Mapped[dt.date] = mapped_column(Date, index=True)
    indicator: Mapped[str] = mapped_column(String(24))
    value: Mapped[float | None] = mapped_column(Float)
    below_dl: Mapped[bool] = mapped_column(default=False)
    detection_limit: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(255), index=True)


class SampleExtra(Base):
    """A lab-sheet column that names no GB 3838 item (电导率, 浊度 …), kept as written.

    Not evaluated; the load report lists these columns so nobody takes them for judged.
    """

    __tablename__ = "sample_extras"
    __table_args__ = (
        UniqueConstraint("section_code", "sampled_on", "name", name="uq_sample_extras_reading"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_code: Mapped[str] = mapped_column(
        ForeignKey("sections.code", onupdate="CASCADE", ondelete="CASCADE"), index=True
    )
    sampled_on: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255), index=True)
