"""Draw the installable app's icons (webmap/static/icons/): the favicon's water mark, blue
with a white wave, full-bleed so Android may mask it (the wave stays inside the central 80%
"safe zone" of maskable icons). Pure Python (zlib): no imaging library to install.

    python scripts/make-icons.py
"""

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "webmap" / "static" / "icons"
BLUE, WHITE = (0x1F, 0x78, 0xB4), (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # per axis: anti-aliased edges


def wave_top(x: float) -> float:
    """Upper edge of the wave (unit square, y down), between x = 0.2 and 0.8."""
    return 0.56 - 0.07 * math.sin((x - 0.2) / 0.6 * 2 * math.pi)


def inside_wave(x: float, y: float) -> bool:
    return 0.2 <= x <= 0.8 and wave_top(x) <= y <= 0.74


def inside_drop(x: float, y: float) -> bool:
    """A water drop above the wave: a circle and the cone of its tangents from a tip 2r above
    the centre (tangent points at 60° from the vertical)."""
    cx, cy, r = 0.5, 0.36, 0.1
    if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
        return True
    tip, base = cy - 2 * r, cy - 0.5 * r
    return tip <= y <= base and abs(x - cx) <= (y - tip) / (base - tip) * r * math.sqrt(3) / 2


def pixel(size: int, px: int, py: int) -> tuple[int, int, int]:
    hits = 0
    for i in range(SAMPLES):
        for j in range(SAMPLES):
            x = (px + (i + 0.5) / SAMPLES) / size
            y = (py + (j + 0.5) / SAMPLES) / size
            hits += inside_wave(x, y) or inside_drop(x, y)
    t = hits / SAMPLES**2
    return tuple(round(b + (w - b) * t) for b, w in zip(BLUE, WHITE, strict=True))


def png(size: int) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(size, x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def svg() -> str:
    points = " ".join(
        f"{100 * x:.1f},{100 * wave_top(x):.1f}" for x in (0.2 + k * 0.6 / 24 for k in range(25))
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        '<rect width="100" height="100" fill="#1f78b4"/>'
        f'<polygon points="{points} 80,74 20,74" fill="#fff"/>'
        '<circle cx="50" cy="36" r="10" fill="#fff"/>'
        '<path d="M50 16 L58.66 31 L41.34 31 Z" fill="#fff"/></svg>\n'
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))
    (OUT / "icon.svg").write_text(svg(), encoding="utf-8")
