"""Browser tests of the explorer: the real app (`discogsography demo` on the sample dump, embedded
stores in a temp dir) in a process of its own, driven by Debian's Chromium through Playwright.

Each test gets a fresh browser context (no stored theme, no history) and leaves a screenshot in
`test-output/e2e/` (git-ignored; E2E_OUTPUT_DIR overrides it). Any uncaught script error on the
page fails the test that caused it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from applications.web.app import EXPLORE_DIR
from tests import servers
from tests.e2e.explorer import OpenPage, save_screenshot

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
DESKTOP = {"width": 1280, "height": 860}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def explorer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running demo: the sample dump loaded, the built explorer served at `/`."""
    if not (EXPLORE_DIR / "index.html").is_file():
        pytest.fail(f"the explorer is not built in {EXPLORE_DIR}: run deploy/local/install-frontend.sh")
    data_dir = tmp_path_factory.mktemp("explorer")
    port = servers.free_port()
    # The tests type into autocompletes faster than the per-client limits of SPEC-api allow a person to.
    env = servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(data_dir), RATE_LIMITS_ENABLED="false")
    with servers.running_app(["demo", "--port", str(port)], env, port) as base:
        yield base


@pytest.fixture(scope="session")
def api(explorer_url: str) -> Iterator[httpx.Client]:
    """A client of the same app's API: what the page shows is checked against these answers."""
    with httpx.Client(base_url=f"{explorer_url}/api", timeout=30.0) as client:
        yield client


# Module scope, not session: while Playwright's sync driver is open, its event loop counts as the
# thread's running loop, and the suite's async tests (which run after these modules) could not start.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: deploy/local/install-debian.sh installs Debian's `chromium`")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    yield browser
    browser.close()


class PageErrors:
    """Uncaught exceptions and console errors of one page, to fail the test on."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        # A failed request is the error state a test asked for, not a script fault.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.messages.append(f"console: {message.text}")


@pytest.fixture
def open_page(browser: Browser, explorer_url: str, request: pytest.FixtureRequest) -> Iterator[OpenPage]:
    """Opens pages on the explorer's origin, each in a context of its own (desktop size, light system
    theme and reduced motion, so the graph settles at once, unless told otherwise). When the test ends
    each page's screenshot is saved and any script error it raised fails the test."""
    opened: list[tuple[BrowserContext, Page, PageErrors]] = []

    def open_one(**context_options: Any) -> Page:
        settings: dict[str, Any] = {
            "viewport": DESKTOP,
            "color_scheme": "light",
            "reduced_motion": "reduce",
            "base_url": explorer_url,
        }
        settings.update(context_options)
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        opened.append((context, page, PageErrors(page)))
        return page

    yield open_one
    messages: list[str] = []
    for index, (context, page, errors) in enumerate(opened):
        suffix = "" if index == 0 else f"-{index + 1}"
        save_screenshot(page, f"{request.node.name}{suffix}")
        context.close()
        messages.extend(errors.messages)
    assert messages == [], "\n".join(messages)


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A fresh desktop page on the explorer's origin."""
    return open_page()
