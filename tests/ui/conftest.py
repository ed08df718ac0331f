"""The dashboard in a real browser: Debian's chromium driven by Playwright, one browser per module.

Never a downloaded browser (no ``playwright install``): ``CHROMIUM`` is the system's, which
``.ci/run`` installs with apt-get. Where it is missing the tests are skipped with that reason,
unless ``MOCKSERVER_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.

The README's screenshots are made by ``docs/screenshots.py``, not by the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("MOCKSERVER_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


# One browser per module, not per session: while Playwright's sync API is open its event loop counts
# as running in this thread, and the async tests a worker runs next (anyio) could not start theirs.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        if os.environ.get("MOCKSERVER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no browser at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install -y chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()

