"""Photos for the inspection-record tests (巡查记录): small JPEGs carrying the EXIF a tablet's
camera writes (the time taken, IFD 0x8769 tag 0x9003; the position, the GPS IFD 0x8825)."""

import io

from PIL import Image


def jpeg(
    gps: dict | None = None,
    when: str | None = None,
    size: tuple[int, int] = (20, 10),
    colour: tuple[int, int, int] = (0, 0, 0),
) -> bytes:
    exif = Image.Exif()
    if when:
        exif.get_ifd(0x8769)[0x9003] = when
    if gps:
        exif.get_ifd(0x8825).update(gps)
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    """A small JPEG whose EXIF says 2026-06-01 09:14:30 at 31°42'30"N 113°22'15"E."""
    gps = {1: "N", 2: (31.0, 42.0, 30.0), 3: "E", 4: (113.0, 22.0, 15.0)}
    return jpeg(gps, "2026:06:01 09:14:30", (64, 48), (200, 30, 30))
