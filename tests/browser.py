"""Debian's Chromium for the browser tests (never a browser downloaded by Playwright). `./dev test` installs it;
a missing browser fails the test rather than skipping it."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `./dev test` installs it (apt-get install chromium).")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def new_page(browser, width: int = 1280, height: int = 900):
    return browser.new_context(viewport={"width": width, "height": height}).new_page()


class Person:
    """A person at the browser, counting the clicks they make (a click on a link, button, box or dropdown; typing
    is free)."""

    def __init__(self, page, base_url: str, user, password: str = "pw"):
        self.page, self.base_url, self.clicks = page, base_url, 0
        page.goto(f"{base_url}/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")

    def click(self, selector: str, **kwargs) -> None:
        self.clicks += 1
        self.page.click(selector, **kwargs)
        self.page.wait_for_load_state()

    def choose(self, selector: str, label: str) -> None:
        self.clicks += 1
        self.page.select_option(selector, label=label)

    def home(self) -> None:
        self.page.goto(f"{self.base_url}/admin/")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API runs an event loop in this thread, so the loop (and the
    allowance for the ORM to run beside it) must end with the module, before other tests touch the database."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = launch(playwright)
        yield launched
        launched.close()
