"""The bounded schema-driven run (issue 16): every operation of the API and of `/ogc`, a
few dozen generated requests each, against a real server on a database of its own holding
the API fixture's data; no 5xx. `make fuzz` runs the same for longer."""

import os
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import Engine

from api.auth import create_token
from api.main import create_app
from layers.settings import Settings
from tests.api.conftest import _insert
from tests.conftest import free_port, fresh_database
from tests.fuzz.schema_fuzz import run

#: Per operation: ~40 operations, ~450 requests in under 30 s; `make fuzz` asks for more.
EXAMPLES = int(os.environ.get("WATERSHED_FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def server(engine: Engine, settings: Settings) -> Iterator[tuple[str, str]]:
    own, own_settings = fresh_database(engine, settings, "fuzz")
    _insert(own)
    token = create_token(own, "admin", name="test-fuzz")
    port = free_port()
    config = uvicorn.Config(
        create_app(own_settings), host="127.0.0.1", port=port, log_level="critical"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        instance.should_exit = True
        thread.join(timeout=30)
        own.dispose()


def test_no_generated_request_gets_a_5xx(server: tuple[str, str]) -> None:
    base, token = server
    outcome = run(base, token, EXAMPLES)
    print(
        f"\n{outcome.operations} operations, {outcome.requests} requests, "
        f"{outcome.seconds:.1f} s, statuses {dict(sorted(outcome.statuses.items()))}"
    )
    assert outcome.operations >= 30  # the API's and /ogc's
    assert outcome.requests >= outcome.operations * 3
    assert outcome.server_errors == []
