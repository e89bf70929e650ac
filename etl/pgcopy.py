"""PostgreSQL binary COPY payloads (二进制 COPY), built with numpy a chunk at a time.

The binary format is a signature, then per row a 16-bit field count and, per field, a
32-bit length (−1 for NULL) followed by the value in the type's binary form, then a
trailer. Every column is encoded whole — floats as big-endian bytes, text as UTF-8, geometry
as EWKB (what PostGIS's ``geometry_recv`` reads), jsonb as version byte 1 + JSON text — and
the rows are assembled by computing each field's offset and scattering the bytes with one
numpy assignment per column. No per-row Python, no text formatting of floats, no hex: several
times faster than CSV for the same rows, and PostgreSQL parses it faster too.

A geometry column may hold shapely geometries rather than WKB: they are serialised a chunk at
a time, inside the COPY, so that work overlaps the server's (:func:`etl.pgload.copy_frame`).
With ``ewkb:<srid>:multi`` a single Polygon or LineString is written as a MultiPolygon or
MultiLineString of one part — a byte-level wrap, much cheaper than having GEOS build the
Multi* geometry first.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import shapely

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_PG_EPOCH_DAYS = 10_957  # 2000-01-01 − 1970-01-01
_FIXED = {"float8": ">f8", "int2": ">i2", "int4": ">i4", "int8": ">i8"}
KINDS = ("text", "jsonb", "bytea", "ewkb:<srid>", "ewkb:<srid>:multi", "bool", "date", *_FIXED)
_WKB_HEADER = 5  # byte order + geometry type
_EWKB_SRID_FLAG = 0x2000_0000
_WRAPPABLE = (2, 3)  # WKB LineString, Polygon; + 3 = MultiLineString, MultiPolygon
_MULTI_HEADER = 13  # byte order, type, SRID, number of parts; then the part's own WKB

Encoded = tuple[np.ndarray, np.ndarray]  # (lengths, −1 = NULL; concatenated value bytes)


def copy_payload(
    frame: pd.DataFrame, kinds: dict[str, str], chunk_rows: int = 20_000
) -> Iterator[tuple[bytes | memoryview, int]]:
    """The COPY data for ``frame`` (columns in order), as (bytes, rows so far) pieces."""
    yield SIGNATURE, 0
    for first in range(0, len(frame), chunk_rows):
        chunk = frame.iloc[first : first + chunk_rows]
        columns = [encode(chunk[name].to_numpy(), kinds[name]) for name in frame.columns]
        yield assemble(columns, len(chunk)), first + len(chunk)
    yield TRAILER, len(frame)


def encode(values: np.ndarray, kind: str) -> Encoded:
    """One column in the binary form of ``kind`` (see :data:`KINDS`)."""
    null = np.asarray(pd.isna(values), dtype=bool)
    present = values[~null]
    if kind in _FIXED:
        width = np.dtype(_FIXED[kind]).itemsize
        blob = present.astype(_FIXED[kind]).view(np.uint8)
        return np.where(null, -1, width), blob
    if kind == "bool":
        return np.where(null, -1, 1), present.astype(bool).view(np.uint8)
    if kind == "date":
        days = pd.to_datetime(present).to_numpy().astype("datetime64[D]").astype(np.int64)
        blob = (days - _PG_EPOCH_DAYS).astype(">i4").view(np.uint8)
        return np.where(null, -1, 4), blob
    if kind == "bytea":
        lengths = np.fromiter(map(len, present), dtype=np.int64, count=len(present))
        return _with_nulls(null, lengths), np.frombuffer(b"".join(present), dtype=np.uint8)
    if kind.startswith("ewkb:"):
        srid, _, multi = kind.removeprefix("ewkb:").partition(":")
        lengths, blob = _ewkb(_wkb(present), int(srid), multi=multi == "multi")
        return _with_nulls(null, lengths), blob
    if kind in ("text", "jsonb"):
        return _text(present, null, prefix=b"\x01" if kind == "jsonb" else b"")
    raise ValueError(f"unknown COPY kind {kind!r}")


def _text(present: np.ndarray, null: np.ndarray, prefix: bytes) -> Encoded:
    encoded = _utf8(present)
    lengths = np.strings.str_len(encoded).astype(np.int64)
    width = encoded.dtype.itemsize
    matrix = encoded.view(np.uint8).reshape(len(encoded), width)
    if prefix:
        head = np.broadcast_to(np.frombuffer(prefix, np.uint8), (len(encoded), len(prefix)))
        matrix = np.hstack([head, matrix])
        lengths = lengths + len(prefix)
        width += len(prefix)
    keep = np.arange(width) < lengths[:, None]
    return _with_nulls(null, lengths), matrix[keep]


def _utf8(present: np.ndarray) -> np.ndarray:
    """UTF-8 bytes of each value as a fixed-width bytes array (trailing NULs = padding).

    All-ASCII columns (codes, BSM) are cast in C; others are encoded once per distinct
    value (names repeat: a few hundred villages over 10⁵ parcels).
    """
    strings = present.astype(np.dtypes.StringDType())
    width = max(int(np.strings.str_len(strings).max(initial=0)), 1)
    try:
        return strings.astype(f"S{width}")
    except UnicodeEncodeError:
        codes, uniques = pd.factorize(present)
        return np.array([u.encode("utf-8") for u in uniques], dtype="S")[codes]


def _wkb(values: np.ndarray) -> np.ndarray:
    """Little-endian WKB of shapely geometries; WKB bytes are passed through."""
    if len(values) and not isinstance(values[0], bytes | bytearray | memoryview):
        return shapely.to_wkb(values, byte_order=1)
    return values


def _ewkb(wkbs: np.ndarray, srid: int, multi: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Little-endian ISO/extended WKB made EWKB with ``srid``: flag the type, insert the SRID;
    with ``multi``, a single LineString/Polygon becomes a Multi* holding it.

    What PostGIS reads into a ``geometry(…, srid)`` column, built for the whole column at
    once — cheaper than having GEOS clone every geometry to carry an SRID. Each output value
    is a new header followed by the input's bytes after its header (or, when wrapped, all of
    them: the part keeps its own header inside the Multi*).
    """
    lengths = np.fromiter(map(len, wkbs), dtype=np.int64, count=len(wkbs))
    blob = np.frombuffer(b"".join(wkbs), dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    if len(wkbs) and not (blob[starts] == 1).all():
        raise ValueError("EWKB conversion expects little-endian WKB")
    types = blob[starts[:, None] + 1 + np.arange(4)].view("<u4").ravel()
    wrap = np.isin(types, _WRAPPABLE) if multi else np.zeros(len(wkbs), dtype=bool)
    kept_from = np.where(wrap, 0, _WKB_HEADER)  # input bytes before this are replaced
    head = np.where(wrap, _MULTI_HEADER, _WKB_HEADER + 4)
    new_lengths = head + lengths - kept_from
    new_starts = np.cumsum(new_lengths) - new_lengths
    header = np.zeros((len(wkbs), _MULTI_HEADER), dtype=np.uint8)
    header[:, 0] = 1
    new_types = (types + np.where(wrap, 3, 0)) | _EWKB_SRID_FLAG
    header[:, 1:5] = new_types.astype("<u4").view(np.uint8).reshape(-1, 4)
    header[:, 5:9] = np.frombuffer(int(srid).to_bytes(4, "little"), np.uint8)
    header[:, 9] = 1  # one part, read only where wrapped
    used = np.arange(_MULTI_HEADER) < head[:, None]
    out = np.empty(int(new_lengths.sum()), dtype=np.uint8)
    out[(new_starts[:, None] + np.arange(_MULTI_HEADER))[used]] = header[used]
    kept = lengths - kept_from
    within = np.arange(int(kept.sum())) - np.repeat(np.cumsum(kept) - kept, kept)
    out[np.repeat(new_starts + head, kept) + within] = blob[
        np.repeat(starts + kept_from, kept) + within
    ]
    return new_lengths, out


def _with_nulls(null: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    out = np.full(len(null), -1, dtype=np.int64)
    out[~null] = lengths
    return out


def assemble(columns: list[Encoded], n_rows: int) -> memoryview:
    """Rows of the binary format from per-column (lengths, bytes)."""
    sizes = np.stack([np.maximum(lengths, 0) + 4 for lengths, _ in columns], axis=1)
    row_size = 2 + sizes.sum(axis=1)
    row_start = np.concatenate([[0], np.cumsum(row_size)[:-1]])
    buf = np.empty(int(row_size.sum()), dtype=np.uint8)
    count = np.frombuffer(len(columns).to_bytes(2, "big"), np.uint8)
    buf[row_start[:, None] + np.arange(2)] = count
    field_start = row_start + 2
    for j, (lengths, blob) in enumerate(columns):
        header = lengths.astype(">i4").view(np.uint8).reshape(n_rows, 4)
        buf[field_start[:, None] + np.arange(4)] = header
        if blob.size:
            has = lengths > 0
            size, start = lengths[has], field_start[has] + 4
            offsets = np.cumsum(size) - size
            buf[np.repeat(start - offsets, size) + np.arange(blob.size)] = blob
        field_start = field_start + sizes[:, j]
    return memoryview(buf)  # no copy: psycopg sends it in slices
