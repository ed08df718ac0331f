"""How fast the dashboard opens in a real browser over a large world (``scenarios/large_audience.yaml``:
100,000 contacts), view by view.

It starts the emulator on a free port in this process (building the world is not measured),
then for each view opens a fresh browser tab at ``/_mock/ui#/<view>`` and reads, from the
page's own performance timeline:

- ``domcontentloaded``: the shell (HTML, script, style sheet) parsed;
- ``first view``: the ``mockserver:first-view`` mark app.js sets once the view first shows the
  world (its /_mock calls answered and rendered), which is "the page opened".

Each view is opened ``--runs`` times; the median is reported (with the worst run). The browser
is Debian's chromium through Playwright, as in tests/ui. ``--broadcast`` first sends a broadcast
to every subscriber, so that the overview and the deliveries view count 100,000 deliveries.

    python bench/ui_load.py [--scenario large_audience] [--runs 5] [--broadcast]

Exit status: 0 when every view opened, 1 otherwise. No figure is asserted (bench/README.md).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver import Emulator  # noqa: E402
from mockserver.scenario import load_scenario  # noqa: E402
from mockserver.threaded import ThreadedServer  # noqa: E402
from tests.conftest import KEY  # noqa: E402
from tests.ui.conftest import ARGS, CHROMIUM  # noqa: E402

VIEWS = [
    "overview",
    "contacts",
    "contacts?query=user4242@example.com",
    "contacts?query=CUST-0424",
    "contacts?offset=99000",
    "contacts/4242",
    "telegram",
    "deliveries",
    "journal",
    "control",
]
FIRST_VIEW = "() => performance.getEntriesByName('mockserver:first-view').length > 0"
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {dom: nav.domContentLoadedEventEnd, view: performance.getEntriesByName('mockserver:first-view')[0].startTime};
}"""


def broadcast(url: str, apps) -> None:
    auth = {"Authorization": "Basic " + base64.b64encode(f"bench:{KEY}".encode()).decode(), "Content-Type": "application/json"}

    def post(path: str, body: dict) -> dict:
        request = urllib.request.Request(url + path, json.dumps(body).encode(), auth, method="POST")
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())

    template = post("/api/v1/messages/telegram", {"name": "Sale", "text": "Hi, see https://shop.example/sale"})
    app_uuid = next(iter(apps)).app_uuid
    post("/api/v1/broadcast", {"messageId": template["id"], "appId": app_uuid})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="large_audience")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--broadcast", action="store_true", help="broadcast to every subscriber first")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    emulator = Emulator(load_scenario(ROOT / "scenarios" / f"{args.scenario}.yaml"))
    print(f"world: {len(emulator.world.contacts)} contacts, built in {time.perf_counter() - started:.1f} s")
    failures = 0
    with ThreadedServer(emulator) as server, sync_playwright() as playwright:
        if args.broadcast:
            started = time.perf_counter()
            broadcast(server.url, emulator.world.apps)
            print(f"broadcast: {len(emulator.world.deliveries)} deliveries in {time.perf_counter() - started:.1f} s")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        print(f"{'view':40} {'DOMContentLoaded ms':>20} {'first view ms':>14} {'worst ms':>9}")
        for view in VIEWS:
            doms, firsts = [], []
            for _ in range(args.runs):
                context = browser.new_context()
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                page.goto(f"{server.url}/_mock/ui#/{view}")
                try:
                    page.wait_for_function(FIRST_VIEW, timeout=30_000)
                except Exception as exc:  # a view that never opened is a failure of the run, not a crash
                    print(f"{view}: did not open: {exc}")
                    failures += 1
                    context.close()
                    break
                timings = page.evaluate(TIMINGS)
                if errors or page.locator(".region .error").count():
                    print(f"{view}: errors: {errors}")
                    failures += 1
                doms.append(timings["dom"])
                firsts.append(timings["view"])
                context.close()
            if firsts:
                print(f"{view:40} {statistics.median(doms):20.0f} {statistics.median(firsts):14.0f} {max(firsts):9.0f}")
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
