"""The 地类图斑 of the demonstration dataset: classes, areas and farmland calibration.

Areas follow the 三调 rules the platform checks: TBMJ is the ellipsoidal area of the parcel
as it will be read back from the Gauss-Krüger file (rounded to 0.01 m²), KCMJ = TBMJ · KCXS,
TBDLMJ = TBMJ − KCMJ, and a unit's 耕地 is Σ TBDLMJ of DLBM 0101/0102/0103 with a straddling
parcel counted by its ellipsoidal share inside the unit.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from etl.demo.calibrate import pick_to_target
from etl.demo.landclass import FARMLAND, assign_classes, deduction_factor, slope_grade
from etl.demo.planar import gk_round_trip
from etl.demo.tessellation import Pieces
from gis.area import geodesic_areas_m2


@dataclass
class Parcels:
    geom: NDArray[np.object_]
    kind: NDArray[np.object_]
    feature: NDArray[np.object_]
    unit: NDArray[np.object_]
    straddle: NDArray[np.bool_]
    relief: NDArray[np.float64]
    dlbm: NDArray[np.object_]
    locked: NDArray[np.bool_]
    tbmj: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    shares: dict[str, NDArray[np.float64]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.geom)

    @classmethod
    def classify(
        cls,
        pieces: Pieces,
        relief: NDArray,
        in_city: NDArray,
        in_industry: NDArray,
        unit_geoms: dict[str, shapely.Geometry],
        rng: np.random.Generator,
    ) -> "Parcels":
        land = pieces.kind == "land"
        dlbm = pieces.kind.copy()
        dlbm[land] = assign_classes(relief[land], in_city[land], in_industry[land], rng)
        # Straddling parcels are farmland, so the proportional rule changes a measured line.
        dlbm[pieces.straddle] = np.where(relief[pieces.straddle] < 0.3, "0101", "0103")
        parcels = cls(
            pieces.geom,
            pieces.kind,
            pieces.feature,
            pieces.unit,
            pieces.straddle,
            relief,
            dlbm,
            locked=pieces.straddle.copy() | ~land,
        )
        parcels.measure(unit_geoms)
        return parcels

    def measure(self, unit_geoms: dict[str, shapely.Geometry]) -> None:
        """TBMJ of every parcel and each parcel's share in each unit (after the GK round trip)."""
        read_back = gk_round_trip(self.geom)
        self.tbmj = np.round(geodesic_areas_m2(read_back), 2)
        self.shares = {}
        for code, unit in unit_geoms.items():
            share = (self.unit == code).astype(float)
            cut = np.flatnonzero(self.straddle)
            inside = geodesic_areas_m2(shapely.intersection(read_back[cut], unit))
            share[cut] = inside / geodesic_areas_m2(read_back[cut])
            self.shares[code] = share

    # --- 三调 attributes ---------------------------------------------------------------

    def grade(self) -> NDArray:
        return slope_grade(self.relief)

    def kcxs(self, codes: NDArray | None = None) -> NDArray:
        return deduction_factor(self.dlbm if codes is None else codes, self.grade())

    def kcmj(self, codes: NDArray | None = None) -> NDArray:
        return np.round(self.tbmj * self.kcxs(codes), 2)

    def tbdlmj(self, codes: NDArray | None = None) -> NDArray:
        return np.round(self.tbmj - self.kcmj(codes), 2)

    def is_farmland(self) -> NDArray[np.bool_]:
        return np.isin(self.dlbm, FARMLAND)

    def farmland_m2(self, unit: str) -> float:
        """Σ TBDLMJ of 耕地 in ``unit``, straddling parcels by their share."""
        return float(np.sum(self.tbdlmj() * self.is_farmland() * self.shares[unit]))

    # --- edits ------------------------------------------------------------------------

    def split(self, index: int, keep: shapely.Geometry, other: shapely.Geometry, code: str) -> int:
        """Cut parcel ``index`` into ``keep`` (in place) and a new parcel ``other`` of ``code``.

        Returns the new parcel's index; both parts are locked. Call :meth:`measure` after.
        """
        self.geom[index] = keep
        for name in ("geom", "kind", "feature", "unit", "straddle", "relief", "dlbm", "locked"):
            setattr(
                self, name, np.append(getattr(self, name), getattr(self, name)[index : index + 1])
            )
        self.tbmj = np.append(self.tbmj, 0.0)  # stale until the next measure()
        new = len(self.geom) - 1
        self.geom[new], self.dlbm[new] = other, code
        self.locked[[index, new]] = True
        return new

    def calibrate_farmland(self, targets_m2: dict[str, float], rng: np.random.Generator) -> None:
        """Flip unlocked land parcels into or out of 耕地 until each unit meets its target."""
        jitter = rng.uniform(0, 0.04, len(self))
        for unit, target in targets_m2.items():
            delta = target - self.farmland_m2(unit)
            flexible = ~self.locked & (self.unit == unit) & (self.kind == "land")
            if delta > 0:
                new = np.where(self.relief < 0.3, "0101", "0103").astype(object)
                pool = flexible & np.isin(
                    self.dlbm, ("0201", "0202", "0301", "0305", "0307", "0404")
                )
                order = np.flatnonzero(pool)[
                    np.argsort(self.relief[pool] + jitter[pool], kind="stable")
                ]
                gain = self.tbdlmj(new)[order]
            else:
                new = np.where(
                    self.relief > 0.55, "0307", np.where(self.relief > 0.4, "0201", "1104")
                )
                new = new.astype(object)
                pool = flexible & self.is_farmland()
                order = np.flatnonzero(pool)[
                    np.argsort(-self.relief[pool] - jitter[pool], kind="stable")
                ]
                gain = self.tbdlmj()[order]
            chosen = order[pick_to_target(gain, abs(delta))]
            self.dlbm[chosen] = new[chosen]
