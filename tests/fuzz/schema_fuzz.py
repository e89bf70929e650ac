"""Schema-driven requests over the whole OpenAPI, the main API's and tipg's `/ogc`
(schemathesis): every operation gets generated inputs, valid and not, sent to a real
server; any 5xx is a failure. Deterministic (hypothesis derandomised, no example database).

Used by tests/fuzz/test_schema_fuzz.py (a bounded run in ``make test``) and by
``make fuzz`` (``python -m tests.fuzz.schema_fuzz``, a long run on the demonstration data).
"""

import os
import sys
import time
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase

#: Writes that would change the data under the run (a replaced layer, a deleted project)
#: are still sent, as the admin; they only ever see generated junk, which they must refuse.
PARTS = (("", "/openapi.json"), ("/ogc", "/ogc/openapi.json"))


@dataclass
class Outcome:
    requests: int = 0
    operations: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run(base_url: str, token: str, examples: int) -> Outcome:
    outcome = Outcome()
    started = time.perf_counter()
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    for prefix, path in PARTS:
        schema = schemathesis.openapi.from_url(base_url + path, headers=headers)
        for result in schema.get_all_operations():
            operation = result.ok()
            outcome.operations += 1
            _send_examples(operation, base_url + prefix, session, headers, examples, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _send_examples(operation, base_url, session, headers, examples, outcome) -> None:
    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,  # the same requests on every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def send(case) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers)
        outcome.requests += 1
        code = response.status_code
        outcome.statuses[code] = outcome.statuses.get(code, 0) + 1
        if code >= 500:
            outcome.server_errors.append(
                f"{code} {case.method} {case.formatted_path} "
                f"query={case.query} body={str(case.body)[:200]}: {response.text[:200]}"
            )

    send()


def main() -> int:
    """``make fuzz``: a long run against a running server (``WATERSHED_FUZZ_URL``) with an
    admin token (``WATERSHED_FUZZ_TOKEN``), ``WATERSHED_FUZZ_EXAMPLES`` per operation."""
    base = os.environ.get("WATERSHED_FUZZ_URL", "http://127.0.0.1:8000")
    token = os.environ["WATERSHED_FUZZ_TOKEN"]
    examples = int(os.environ.get("WATERSHED_FUZZ_EXAMPLES", "500"))
    outcome = run(base, token, examples)
    print(
        f"{outcome.operations} operations, {outcome.requests} requests in "
        f"{outcome.seconds:.0f} s; statuses {dict(sorted(outcome.statuses.items()))}; "
        f"5xx: {len(outcome.server_errors)}"
    )
    for line in outcome.server_errors[:50]:
        print("  " + line)
    return 1 if outcome.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
