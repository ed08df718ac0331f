"""The dashboard in a real browser: Debian's chromium driven by Playwright, one browser per session.

Never a downloaded browser (no ``playwright install``): ``CHROMIUM`` is the system's, which
``.ci/run`` installs with apt-get. Where it is missing the tests are skipped with that reason,
unless ``MOCKSERVER_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.

``MOCKSERVER_UI_SCREENSHOTS=DIR`` saves a screenshot of each view the tests open into DIR
(``docs/`` holds the README's).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("MOCKSERVER_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = os.environ.get("MOCKSERVER_UI_SCREENSHOTS")


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


@pytest.fixture(scope="session")
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


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: saved as ui-NAME.png when MOCKSERVER_UI_SCREENSHOTS is set."""

    def take(page, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"ui-{name}.png"), full_page=True)

    return take
