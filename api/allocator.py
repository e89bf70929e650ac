"""The C allocator's thresholds for a long-running server (glibc ``mallopt``).

glibc hands every allocation above its mmap threshold straight to the kernel and returns it on
free, and trims a thread arena's free top back to the kernel above its trim threshold. The
server draws raster tiles (api/raster_tiles.py) on worker threads, each tile a few arrays of
0.5–2 MB (elevation, hillshade, RGBA, PNG): with the default, adaptive thresholds, a worker
thread's arrays were mapped and unmapped on every tile and the page faults made the drawing
~20 % slower than the same drawing on a main thread (18.6 against 15.4 ms a z14 relief tile,
bench/README.md). Fixed thresholds keep such buffers in the arenas: at most
:data:`TRIM_THRESHOLD` of free memory stays with an arena before it is given back.

No library does this (jemalloc/tcmalloc would replace the allocator, a deployment matter);
the thresholds are glibc's documented tunables (mallopt(3)), also settable as
``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_``, which win when set.
"""

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD = -1  # <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 8 * 1024 * 1024
TRIM_THRESHOLD = 32 * 1024 * 1024


def tune_for_server() -> bool:
    """Set the thresholds; False where the C library is not glibc (nothing to tune) or the
    operator set them in the environment."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
