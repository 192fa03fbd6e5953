"""Every page kind, as the host's, the partner's and the operator's logins, checked in Chromium by axe-core.

Fails on any critical or serious WCAG 2.2 A/AA finding (listing rule, page and element), and on any page wider
than its viewport on a phone (390 px) or a laptop (1366 px). Screenshots of each page at both widths go to
var/screenshots/accessibility/; the other findings (moderate and minor, and axe's best practices) are printed
(pytest -s shows them).
"""

import base64
import datetime
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import sync_playwright

from campaigns.models import Campaign, Comment, Flag, Invitation, KpiRound
from campaigns.services.answers import answer_url
from meetings.models import Meeting
from tests.axe import axe_script, is_blocking, violations
from tests.browser import launch

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "accessibility"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
DEMO_PASSWORD = "demo-pass-2026"
LOGINS = {"host": "maria@northwind.example", "partner": "jonas@bluefin.example", "operator": "admin"}
WEBINAR = "Forecasting with real data — joint webinar"

pytestmark = pytest.mark.django_db(transaction=True)  # a live server


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only (Playwright's sync loop and the ORM allowance end with the module)."""
    axe_script()  # installed before the first page, so a missing npm fails at once
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def demo(migration_data):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    webinar = Campaign.objects.get(name=WEBINAR)
    # The demo raises no flag by itself; one makes the flags list and the home page's health show one.
    Flag.objects.get_or_create(
        campaign=webinar,
        code="no_decision_maker",
        defaults={
            "severity": "critical",
            "title": "No decision maker",
            "opened_at": webinar.created_at,
            "last_seen_at": webinar.created_at,
        },
    )
    return webinar


def page_paths(webinar) -> dict[str, str]:
    now = timezone.now()
    meetings = Meeting.objects.filter(series__campaign=webinar)
    logged = meetings.filter(starts_at__lt=now).order_by("-starts_at").first()
    upcoming = meetings.filter(starts_at__gt=now).order_by("starts_at").first()
    kpi_round = KpiRound.objects.current().get(campaign=webinar)
    discussed = Comment.objects.filter(campaign=webinar, target_kind="deliverable").first().target_id
    return {
        "my-work": "/admin/",
        "campaign-home": f"/admin/campaigns/campaign/{webinar.pk}/home/",
        "campaign-form": f"/admin/campaigns/campaign/{webinar.pk}/change/",
        "meeting-log": f"/admin/meetings/meeting/{logged.pk}/change/",
        "meeting-page": f"/admin/meetings/meeting/{logged.pk}/log/",
        "first-hour": f"/admin/campaigns/campaign/{webinar.pk}/first-hour/",
        "kpi-agreement": f"/admin/campaigns/kpiround/{kpi_round.pk}/agree/",
        "agenda": f"/admin/meetings/meeting/{upcoming.pk}/agenda/",
        "flags": "/admin/campaigns/flag/",
        "deliverables": "/admin/campaigns/deliverable/",
        "budget-lines": f"/admin/campaigns/budgetline/?campaign__id__exact={webinar.pk}",
        "identity-provider-form": "/admin/partners/identityprovider/add/",
        "deliverable-thread": f"/admin/campaigns/deliverable/{discussed}/change/",
        "comment-form": f"/admin/campaigns/comment/add/?target_kind=deliverable&target_id={discussed}",
    }


class Findings:
    """What the pages showed: blocking axe findings and over-wide pages (which fail), and the rest (counted)."""

    def __init__(self):
        self.blocking, self.too_wide, self.others = [], [], Counter()

    def check(self, page, who: str, name: str, viewport: str) -> None:
        where = f"{who} {name} at {viewport}"
        assert page.locator("#content, #content-main, form").count(), f"{where}: the page did not load"
        for found in violations(page):
            if is_blocking(found):
                count, targets = len(found["targets"]), ", ".join(found["targets"][:5])
                self.blocking.append(
                    f"{where}: {found['impact']} {found['rule']} ({found['help']}) on {count}: {targets}"
                )
            else:
                self.others[(found["impact"], found["rule"])] += len(found["targets"])
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORTS[viewport]["width"]:
            self.too_wide.append(f"{where}: {width} px wide in a {VIEWPORTS[viewport]['width']} px viewport")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{who}-{name}-{viewport}.png"), full_page=True)

    def assert_none(self) -> None:
        print("\nother findings: moderate and minor, and best practices (impact, rule: elements):", dict(self.others))
        problems = self.blocking + self.too_wide
        assert not problems, "critical or serious axe findings, and pages wider than the screen:\n" + "\n".join(
            problems
        )


def logged_in_page(browser, base_url: str, username: str, viewport: str):
    # axe is added as an inline script, which the site's Content-Security-Policy rightly refuses.
    page = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True).new_page()
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


# Pages before signing in: the login, "Sign in with your company", and what a refused company sign-in shows.
SIGN_IN_PAGES = {
    "login": "/admin/login/",
    "company-sign-in": "/sso/",
    "company-sign-in-refused": "/sso/callback/?state=not-started-here&code=x",
}


def test_the_sign_in_pages_are_accessible_on_a_phone_and_a_laptop(live_server, browser):
    findings = Findings()
    for viewport in VIEWPORTS:
        for name, path in SIGN_IN_PAGES.items():
            page = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True).new_page()
            page.goto(f"{live_server.url}{path}")
            findings.check(page, "anyone", name, viewport)
            page.context.close()
    findings.assert_none()


def test_the_one_click_answer_page_is_accessible_on_a_phone_and_a_laptop(live_server, browser, demo):
    """The page an e-mail's "Accept" link opens, with no session (from the mail), as it asks to confirm."""
    invitation = Invitation.objects.pending().filter(contact__isnull=True).first()
    person = invitation.organization.people.filter(user__isnull=False).first()
    path = answer_url(kind="invitation", action="accept", row=invitation, person=person)
    path = path.removeprefix(settings.SITE_URL.rstrip("/"))
    findings = Findings()
    for viewport in VIEWPORTS:
        page = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True).new_page()
        page.goto(live_server.url + path)
        assert page.locator("input[type=submit][value=Accept]").count() == 1
        findings.check(page, "recipient", "one-click-answer", viewport)
        page.context.close()
    findings.assert_none()


@pytest.mark.parametrize("who", LOGINS)
def test_every_page_kind_is_accessible_on_a_phone_and_a_laptop(live_server, browser, demo, who):
    findings = Findings()
    paths = page_paths(demo)
    for viewport in VIEWPORTS:
        page = logged_in_page(browser, live_server.url, LOGINS[who], viewport)
        for name, path in paths.items():
            page.goto(live_server.url + path)
            findings.check(page, who, name, viewport)
        page.context.close()
    findings.assert_none()


def test_two_factor_sign_in_is_accessible_from_set_up_to_a_recovery_code(live_server, browser, demo):
    """The host sets up an authenticator (the key typed from the page, as a person without a camera would), is shown
    the recovery codes once, and signs in again with one of them; every page checked at both widths."""
    findings, codes = Findings(), []
    for viewport in VIEWPORTS:
        page = logged_in_page(browser, live_server.url, LOGINS["host"], viewport)
        if codes:  # set up on the first pass: the password now leads to the code page
            assert "/admin/two-factor/code/" in page.url
            findings.check(page, "host", "two-factor-code", viewport)
            page.fill("#id_code", codes.pop())
            page.click("#content-main button[type=submit]")
            page.wait_for_load_state()
        else:
            page.goto(f"{live_server.url}/admin/two-factor/set-up/")
            findings.check(page, "host", "two-factor-set-up", viewport)
            key = base64.b32decode(page.inner_text(".two-factor-secret").replace(" ", ""))
            page.fill("#id_code", f"{totp(key):06d}")
            page.click("#content-main button[type=submit]")
            page.wait_for_load_state()
            findings.check(page, "host", "two-factor-recovery-codes", viewport)
            codes = page.locator(".recovery-codes code").all_inner_texts()
            assert len(codes) == 10
        page.goto(f"{live_server.url}/admin/two-factor/")
        assert "You have" in page.inner_text("#content-main")
        findings.check(page, "host", "two-factor", viewport)
        page.context.close()
    findings.assert_none()


FOCUSED = """() => { const el = document.activeElement, style = getComputedStyle(el);
    return {text: (el.innerText || el.value || "").trim(), outline: parseFloat(style.outlineWidth),
            outlineStyle: style.outlineStyle, tag: el.tagName, name: el.name || el.id || ""}; }"""


def focus_shown(page) -> dict:
    """Where the focus is; fails unless it shows an outline of at least 2 px (WCAG 2.4.7)."""
    focused = page.evaluate(FOCUSED)
    assert focused["outlineStyle"] != "none" and focused["outline"] >= 2, f"no visible focus on {focused}"
    return focused


def tab_to(page, text: str, limit: int = 200) -> None:
    """Presses Tab until the focus is on the control showing `text`; each stop must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focus_shown(page)["text"] == text:
            return
    pytest.fail(f"{text!r} cannot be reached with the Tab key")


def test_the_partner_agrees_the_kpis_with_the_keyboard_alone(live_server, browser, demo):
    page = logged_in_page(browser, live_server.url, LOGINS["partner"], "laptop")
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{demo.pk}/home/")
    tab_to(page, "Review and agree")
    page.keyboard.press("Enter")
    page.wait_for_url("**/agree/")
    tab_to(page, "Agree to these KPIs for my company")
    page.keyboard.press("Enter")
    page.wait_for_url("**/home/")
    agreed = KpiRound.objects.current().get(campaign=demo).agreements.values_list("organization__name", flat=True)
    assert "Bluefin Consulting" in agreed
    page.context.close()


def tab_to_control(page, selector: str, limit: int = 400, *, shown: bool = False) -> None:
    """Presses Tab until the focus is on the control `selector` (a form field shows no text to find it by); with
    `shown`, each stop on the way must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if shown:
            focus_shown(page)
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_the_host_logs_a_meeting_with_the_keyboard_alone(live_server, browser, demo):
    # The demo's series meets at 10:00 New York time: before that hour today's meeting is still ahead, so the
    # next one is moved an hour into the past, to be logged as a host would right after it.
    meeting = Meeting.objects.filter(series__campaign=demo, status=Meeting.Status.SCHEDULED).order_by("starts_at")[0]
    meeting.starts_at = min(meeting.starts_at, timezone.now() - datetime.timedelta(hours=1))
    meeting.save(update_fields=["starts_at"])
    page = logged_in_page(browser, live_server.url, LOGINS["host"], "laptop")
    page.goto(f"{live_server.url}/admin/meetings/meeting/{meeting.pk}/change/")
    tab_to_control(page, "#id_notes")
    page.keyboard.type("Speakers confirmed; the landing page goes live on Monday.")
    if not page.locator("#id_action_items-0-title").count():
        tab_to(page, "Add another Action item")
        page.keyboard.press("Enter")
    tab_to_control(page, "#id_action_items-0-title")
    page.keyboard.type("Send the speaker brief")
    tab_to_control(page, "#id_action_items-0-owner")
    page.keyboard.press("ArrowDown")
    tab_to_control(page, "#id_action_items-0-due_date")
    page.keyboard.type((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    tab_to_control(page, "input[name=_continue]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    errors = page.locator(".errorlist").evaluate_all(
        "(lists) => lists.map((l) => l.closest('td, .form-row').className)"
    )
    assert not errors, f"the log was refused: {errors}"

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.notes == "Speakers confirmed; the landing page goes live on Monday."
    assert list(meeting.action_items.values_list("title", flat=True)) == ["Send the speaker brief"]
    page.context.close()


def test_the_host_logs_a_meeting_on_its_page_with_the_keyboard_alone(live_server, browser, demo):
    """The meeting page, Tab and typing only: notes, a decision, an action item for the next meeting, saved; every
    stop on the way shows where the focus is."""
    meeting = Meeting.objects.filter(series__campaign=demo, status=Meeting.Status.SCHEDULED).order_by("starts_at")[0]
    meeting.starts_at = min(meeting.starts_at, timezone.now() - datetime.timedelta(hours=1))
    meeting.save(update_fields=["starts_at"])
    page = logged_in_page(browser, live_server.url, LOGINS["host"], "laptop")
    page.goto(f"{live_server.url}/admin/meetings/meeting/{meeting.pk}/log/")
    tab_to_control(page, "#id_notes", shown=True)
    page.keyboard.type("Speakers confirmed.")
    tab_to_control(page, "input[name=decision-text]", shown=True)
    page.keyboard.type("Go with the CFO panel")
    tab_to_control(page, "input[name=item-title]", shown=True)
    page.keyboard.type("Send the speaker brief")
    page.keyboard.press("Tab")
    focus_shown(page)
    page.keyboard.type("Jonas")  # the only Jonas on the team: his name alone is enough
    tab_to(page, "Save the log")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.notes == "Speakers confirmed."
    assert list(meeting.decisions.values_list("text", flat=True)) == ["Go with the CFO panel"]
    assert list(meeting.action_items.values_list("title", "owner__person__full_name")) == [
        ("Send the speaker brief", "Jonas Weber")
    ]
    page.context.close()
