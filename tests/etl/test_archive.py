"""Safe extraction of uploaded zip archives (etl.archive)."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from etl.archive import MB, ArchiveLimits, extract_zip
from gis.errors import InvalidInputError

LIMITS = ArchiveLimits(max_archive_bytes=5 * MB, max_unzipped_bytes=10 * MB)


def _zip(path: Path, entries: dict, *, utf8_names: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name) if isinstance(name, str) else name
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def _out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_extracts_into_the_folder_and_keeps_chinese_names(tmp_path):
    archive = _zip(tmp_path / "a.zip", {"耕地/dltb.shp": b"shp", "耕地/dltb.dbf": b"dbf"})
    files = extract_zip(archive, _out(tmp_path), LIMITS)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in files) == [
        "耕地/dltb.dbf",
        "耕地/dltb.shp",
    ]
    assert (tmp_path / "out" / "耕地" / "dltb.dbf").read_bytes() == b"dbf"


def test_gbk_entry_names_without_the_utf8_flag_are_decoded(tmp_path):
    """Chinese Windows zip tools store names in GBK and do not set the UTF-8 flag."""
    gbk = "永久基本农田".encode("gb18030")
    placeholder = b"A" * len(gbk)  # same length, so the raw bytes can be swapped in
    _zip(tmp_path / "ascii.zip", {placeholder.decode() + ".shp": b"x"})
    archive = tmp_path / "gbk.zip"
    archive.write_bytes((tmp_path / "ascii.zip").read_bytes().replace(placeholder, gbk))
    with zipfile.ZipFile(archive) as zf:
        assert not zf.infolist()[0].flag_bits & 0x800
    files = extract_zip(archive, _out(tmp_path), LIMITS)
    assert [p.name for p in files] == ["永久基本农田.shp"]


@pytest.mark.parametrize(
    "name", ["../evil.shp", "a/../../evil.shp", "/etc/evil.shp", "C:/evil.shp", "..\\evil.shp"]
)
def test_entries_escaping_the_folder_are_refused_before_anything_is_written(tmp_path, name):
    archive = _zip(tmp_path / "evil.zip", {"ok.shp": b"fine", name: b"evil"})
    out = _out(tmp_path)
    with pytest.raises(InvalidInputError, match=r"不安全"):
        extract_zip(archive, out, LIMITS)
    assert list(out.iterdir()) == []
    assert not (tmp_path / "evil.shp").exists()


def test_symbolic_links_are_refused(tmp_path):
    link = zipfile.ZipInfo("link.shp")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = _zip(tmp_path / "link.zip", {link: b"/etc/passwd"})
    with pytest.raises(InvalidInputError, match=r"符号链接"):
        extract_zip(archive, _out(tmp_path), LIMITS)


def test_zip_bomb_of_zeros_is_refused_by_its_ratio(tmp_path):
    archive = _zip(tmp_path / "bomb.zip", {"dltb.dbf": bytes(8 * MB)})
    assert archive.stat().st_size < 100_000
    with pytest.raises(InvalidInputError, match=r"压缩炸弹"):
        extract_zip(archive, _out(tmp_path), LIMITS)
    assert list((tmp_path / "out").iterdir()) == []


def test_content_over_the_unzipped_limit_is_refused(tmp_path):
    data = os.urandom(3 * MB)  # incompressible: the ratio is fine, the total is not
    archive = _zip(
        tmp_path / "big.zip", {"a.dbf": data, "b.dbf": data, "c.dbf": data, "d.dbf": data}
    )
    small = ArchiveLimits(max_archive_bytes=50 * MB, max_unzipped_bytes=10 * MB)
    with pytest.raises(InvalidInputError, match=r"解压后共 12\.0 MB，超过上限 10 MB"):
        extract_zip(archive, _out(tmp_path), small)


def test_archive_over_the_upload_limit_is_refused(tmp_path):
    archive = _zip(tmp_path / "upload.zip", {"a.dbf": os.urandom(MB)})
    with pytest.raises(InvalidInputError, match=r"超过上限 0\.5 MB"):
        extract_zip(archive, _out(tmp_path), ArchiveLimits(MB // 2, 10 * MB))


def test_corrupt_archives_are_refused(tmp_path):
    good = _zip(tmp_path / "good.zip", {"dltb.dbf": os.urandom(64 * 1024)}).read_bytes()
    (tmp_path / "cut.zip").write_bytes(good[:-200])
    with pytest.raises(InvalidInputError, match=r"损坏"):
        extract_zip(tmp_path / "cut.zip", _out(tmp_path), LIMITS)
    damaged = bytearray(good)
    damaged[100] ^= 0xFF  # inside the entry's data: inflate or CRC check fails
    (tmp_path / "crc.zip").write_bytes(bytes(damaged))
    with pytest.raises(InvalidInputError, match=r"损坏"):
        extract_zip(tmp_path / "crc.zip", tmp_path / "out2", LIMITS)
    (tmp_path / "text.zip").write_text("not a zip at all")
    with pytest.raises(InvalidInputError, match=r"损坏"):
        extract_zip(tmp_path / "text.zip", tmp_path / "out3", LIMITS)


def test_settings_give_the_limits(settings):
    limits = ArchiveLimits.from_settings(settings)
    assert limits.max_archive_bytes == int(settings.max_upload_mb * MB)
    assert limits.max_unzipped_bytes == int(settings.max_unzipped_mb * MB)
