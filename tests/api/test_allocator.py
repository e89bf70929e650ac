"""The server's allocator thresholds (api/allocator.py): set on glibc, left to the operator
when the environment sets them."""

import os
import subprocess
import sys

import pytest

CHECK = "from api.allocator import tune_for_server; print(tune_for_server())"


def run(env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_thresholds_are_set_on_glibc_unless_the_operator_set_them():
    base = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    assert run(base) == "True"
    assert run({**base, "MALLOC_TRIM_THRESHOLD_": "1048576"}) == "False"
