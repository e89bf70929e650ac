"""`watershed load` given a file name that is not UTF-8 (issue 16, defect 6): a message in
Chinese and English and exit 1, not a traceback. A real subprocess, argv as raw bytes."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_a_gbk_file_name_is_refused_with_a_message(tmp_path):
    name = "测试河流.shp".encode("gbk")  # what unzip without -O gbk leaves on Linux
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(b"\0" * 100)
    env = {**os.environ, "PYTHONPATH": str(REPO), "WATERSHED_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            os.fsencode(sys.executable),
            b"-c",
            b"from api.cli import app; app()",
            b"load",
            os.path.join(folder, name),
            b"--layer",
            b"rivers",
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    err = result.stderr.decode("utf-8")
    assert result.returncode == 1, err
    assert "Traceback" not in err
    assert "UTF-8" in err and "文件名" in err and "not valid UTF-8" in err
    assert "\\xb2\\xe2" in err  # the name's bytes, shown escaped
    assert not (tmp_path / "var").exists()  # refused before any database was started
