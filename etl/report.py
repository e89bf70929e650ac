"""The load report (导入报告): what a load read, kept, repaired and dropped, and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from gis.area import m2_to_mu

#: ``progress(stage, fraction)``: a Chinese stage label and the share done (0..1).
Progress = Callable[[str, float], None]


@dataclass
class LoadReport:
    """One load of one file into one layer; ``to_dict()`` is what ``--json`` prints."""

    layer: str
    layer_name: str
    source: str
    sha256: str
    read: int = 0  # features (or sample rows) in the file
    loaded: int = 0  # rows written to the table
    repaired: int = 0  # invalid geometries made valid
    dropped: int = 0  # features without a usable geometry (or blank sample values)
    replaced: int = 0  # rows of the same source removed first (a reload)
    crs: int | None = None  # EPSG code of the input as detected (storage is always 4490)
    crs_reason: str | None = None
    encoding: str | None = None
    encoding_reason: str | None = None
    area_m2: float | None = None  # ellipsoidal total of the loaded rows (polygon layers)
    area_mu: float | None = None
    warnings: list[str] = field(default_factory=list)
    #: The load of the same source this one replaced (id, loaded_at, actor, loaded, sha256).
    previous_load: dict[str, Any] | None = None
    same_file: bool = False  # byte-identical to the previous load (same sha256)
    notes: list[str] = field(default_factory=list)  # what happened, not a problem
    load_id: int | None = None
    seconds: float | None = None

    def set_area(self, area_m2: float) -> None:
        self.area_m2 = area_m2
        self.area_mu = m2_to_mu(area_m2)

    def note_previous(self, row: tuple | None) -> None:
        """Say which earlier load of this source was replaced, and whether it was this file."""
        if row is None:
            return
        load_id, sha256, loaded_at, actor, loaded = row
        when = loaded_at.strftime("%Y-%m-%d %H:%M:%S") if loaded_at else "时间不详"
        self.previous_load = {
            "id": load_id,
            "sha256": sha256,
            "loaded_at": loaded_at.isoformat() if loaded_at else None,
            "actor": actor,
            "loaded": loaded,
        }
        self.same_file = bool(sha256) and sha256 == self.sha256
        who = f"，导入人 {actor}" if actor else ""
        self.notes.append(
            f"替换了第 {load_id} 次导入（{when}{who}）的 {self.replaced} 条数据"
            f"（replaced load {load_id}）。"
        )
        if self.same_file:
            self.notes.append(
                f"与第 {load_id} 次导入的文件完全相同（SHA-256 一致），图层内容不变"
                "（identical to the previous upload）。"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def silent(stage: str, fraction: float) -> None:
    """The default progress callback: report nothing."""
