"""Benchmark: the map page's first load in headless Chromium (bytes and time to interactive).

Not a test. Opens the running app's map (``watershed serve``, e.g. after ``make run`` with the
demonstration data) in Debian's Chromium through Playwright, a fresh profile each run, and
prints what the first load transferred (bytes on the wire, from the browser's own response
sizes, largest responses first) and when the map was interactive: the page's scripts mark
``WS.state.readyAt`` once the layers are drawn, the sections classed and the compliance panel
filled. Budget (issue 6): under 1 MB; interactive within 2 s on the local server.

    .venv/bin/python bench/bench_map.py --url http://127.0.0.1:8000 --token TOKEN [--repeat 3]

``--token`` is a viewer token (``watershed token create --role viewer``), needed when reads
need one. Requests leaving the server's host are blocked and counted (there should be none).
"""

import argparse
import statistics
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
BUDGET_BYTES = 1_000_000
BUDGET_MS = 2000


def one_load(browser, url: str, token: str | None, width: int, height: int) -> dict:
    context = browser.new_context(viewport={"width": width, "height": height})
    if token:
        context.add_cookies([{"name": "watershed_token", "value": token, "url": url}])
    host = urlsplit(url).netloc
    foreign: list[str] = []

    def route(r):
        if urlsplit(r.request.url).netloc != host:
            foreign.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    sizes: list[tuple[str, int]] = []
    page.on(
        "requestfinished",
        lambda r: sizes.append(
            (urlsplit(r.url).path, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])
        ),
    )
    page.goto(url.rstrip("/") + "/")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    page.wait_for_load_state("networkidle")
    ready_ms = page.evaluate("WS.state.readyAt")
    context.close()
    return {"ready_ms": ready_ms, "sizes": sizes, "foreign": foreign}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="1366x768", help="viewport, e.g. 768x1024")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        runs = [one_load(browser, args.url, args.token, width, height) for _ in range(args.repeat)]
        browser.close()
    first = runs[0]
    total = sum(size for _, size in first["sizes"])
    print(
        f"map first load at {args.size}: {len(first['sizes'])} responses, {total:,} bytes "
        f"({total / 1024:.0f} KiB; budget {BUDGET_BYTES:,})"
    )
    for path, size in sorted(first["sizes"], key=lambda x: -x[1])[:10]:
        print(f"  {size:>10,}  {path}")
    times = [r["ready_ms"] for r in runs]
    print(
        f"time to interactive: median {statistics.median(times):.0f} ms over {len(times)} loads "
        f"({', '.join(f'{t:.0f}' for t in times)}; target {BUDGET_MS} ms)"
    )
    blocked = sorted({u for r in runs for u in r["foreign"]})
    print(f"requests to other hosts: {len(blocked)}" + "".join(f"\n  {u}" for u in blocked))


if __name__ == "__main__":
    main()
