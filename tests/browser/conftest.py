"""Real-browser fixtures: Chromium driven by Playwright (sync API) against `live_server`.

Chromium is the system's (/usr/bin/chromium); Playwright's own download cannot run here. Without
it the browser tests are skipped locally but fail on CI (CI=true), where skipping them would
hide a broken set-up.

`live_server` runs on a transactional database that is emptied after every test, so the seed
corpus loaded once for the session is not visible there: each browser test loads it again
through the `seeded` fixture. pytest-django runs these tests after the others, so the emptying
cannot affect them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# database calls the fixtures make from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: the browser tests must run on CI.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def seeded(transactional_db):
    """The seed corpus, in the live server's database."""
    from claims.importing.seeds import load_seeds

    load_seeds()


class Tab:
    """A browser page at one viewport size that records console errors and page errors."""

    def __init__(self, browser, base_url: str, viewport: dict) -> None:
        self.context = browser.new_context(viewport=viewport, reduced_motion="reduce")
        self.page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("load")
        return response

    def shoot(self, name: str, *, full_page: bool = True) -> Path:
        """Save a screenshot under test-artifacts/screenshots/ (the whole page by default)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_tab(browser, live_server, seeded):
    """`open_tab(viewport)` gives a fresh Tab on the live server; all are closed afterwards."""
    tabs: list[Tab] = []

    def make(viewport: dict = DESKTOP) -> Tab:
        tab = Tab(browser, live_server.url, viewport)
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.close()
