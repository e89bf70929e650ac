"""The inspection records' pure rules: the three-way merge of a stale edit (server-first per
field, the rest applied) and the photo check (type from the decoded bytes, size, EXIF)."""

import datetime as dt
import io

import pytest
from PIL import Image

from gis.errors import TooLargeError, UnsupportedMediaError
from gis.records import PHOTO_MAX_BYTES, inspect_photo, merge
from tests.photos import jpeg

BASE = {
    "kind": "垃圾",
    "severity": "low",
    "notes": "岸边垃圾",
    "location": (113.37, 31.71, None, "map"),
    "observed_at": dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC),
}


def test_an_edit_of_the_latest_version_applies_every_changed_field():
    edit = {**BASE, "notes": "已清理", "location": (113.38, 31.72, 5.0, "gps")}
    result = merge(BASE, BASE, edit)
    assert result.values == edit
    assert result.applied == ("notes", "location")
    assert result.conflicts == ()


def test_a_stale_edit_keeps_the_first_writer_where_both_changed_and_applies_the_rest():
    first = {**BASE, "notes": "约 2 吨", "severity": "medium"}
    stale = {**BASE, "notes": "仍有塑料", "kind": "其他", "severity": "medium"}
    result = merge(BASE, first, stale)
    assert result.values == {**first, "kind": "其他"}
    assert result.applied == ("kind",)  # severity: both made the same change, no conflict
    assert result.conflicts == ("notes",)


def test_a_stale_edit_that_changed_nothing_changes_nothing():
    first = {**BASE, "notes": "约 2 吨"}
    result = merge(BASE, first, dict(BASE))
    assert (result.values, result.changed, result.conflicts) == (first, False, ())


def test_exif_time_and_position_south_and_west_are_negative():
    gps = {1: "S", 2: (12.0, 30.0, 0.0), 3: "W", 4: (45.0, 15.0, 36.0)}
    info = inspect_photo(jpeg(gps, "2025:12:31 23:59:58"))
    assert (info.content_type, info.width, info.height) == ("image/jpeg", 20, 10)
    assert info.taken_at == dt.datetime(2025, 12, 31, 23, 59, 58)
    assert info.lat == pytest.approx(-12.5, abs=1e-7)
    assert info.lon == pytest.approx(-(45 + 15 / 60 + 36 / 3600), abs=1e-7)


def test_no_exif_means_no_time_and_no_position():
    info = inspect_photo(jpeg())
    assert (info.taken_at, info.lon, info.lat) == (None, None, None)


def test_webp_accepted_gif_refused_by_its_bytes():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "WEBP")
    assert inspect_photo(out.getvalue()).content_type == "image/webp"
    gif = io.BytesIO()
    Image.new("P", (4, 4)).save(gif, "GIF")
    with pytest.raises(UnsupportedMediaError, match="GIF"):
        inspect_photo(gif.getvalue())


def test_over_ten_megabytes_is_refused_before_decoding():
    with pytest.raises(TooLargeError, match="10 MB"):
        inspect_photo(b"\xff\xd8" + b"\0" * PHOTO_MAX_BYTES)
