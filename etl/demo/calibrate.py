"""Choosing features to reach an area (面积标定): prefix in preference order, then a best fit."""

import numpy as np
from numpy.typing import NDArray


def pick_to_target(gains: NDArray, target: float) -> NDArray[np.bool_]:
    """Which items (in preference order) to take so their gains sum closest to ``target``.

    Takes the longest preferred prefix that stays at or below the target, then the one
    remaining item that best fills what is left, if that brings the sum closer. With
    thousands of parcels of every size the residual is a few square metres.
    """
    gains = np.asarray(gains, dtype=float)
    chosen = np.zeros(len(gains), dtype=bool)
    if target <= 0 or not len(gains):
        return chosen
    total = np.cumsum(gains)
    n = int(np.searchsorted(total, target, side="right"))
    chosen[:n] = True
    residual = target - (total[n - 1] if n else 0.0)
    rest = np.arange(n, len(gains))
    if len(rest):
        best = rest[np.argmin(np.abs(residual - gains[rest]))]
        if abs(residual - gains[best]) < residual:
            chosen[best] = True
    return chosen
