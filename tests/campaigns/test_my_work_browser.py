"""Jonas (the demo's partner login) sees what is late for his company the moment he logs in: no click, no scroll.
Screenshots of his My work at a phone's and a laptop's width go to var/screenshots/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from tests.browser import launch

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}

pytestmark = pytest.mark.django_db(transaction=True)  # a live server


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only (Playwright's sync loop and the ORM allowance end with the module)."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_jonas_sees_what_is_late_for_bluefin_without_a_click(live_server, browser, migration_data, viewport):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    page = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "jonas@bluefin.example")
    page.fill("#id_password", "demo-pass-2026")
    page.press("#id_password", "Enter")  # the login itself; nothing after it
    page.wait_for_load_state()

    heading = page.get_by_role("heading", name="Late or due for Bluefin Consulting")
    box = heading.bounding_box()
    assert box is not None and box["y"] + box["height"] <= VIEWPORTS[viewport]["height"]  # on the first screen
    panel = page.locator("section.cockpit-panel").first.inner_text()
    assert "late for Bluefin Consulting" in panel  # "Nothing late for…" or "2 late for…": said either way
    assert "Waiting on your partners" in panel
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"my-work-ours-{viewport}.png"), full_page=True)
