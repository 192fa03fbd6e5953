"""The weekly digest shows, per campaign in it, its KPIs against their targets: a line of figures in the text
body, and the charts as PNG parts of the HTML body (cid:), which a mail client shows without loading anything.
The browser test opens the e-mail as a recipient's client would and leaves a screenshot in var/screenshots/."""

import datetime
import email
import email.policy
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import sync_playwright

from campaigns.models import Reminder
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from tests.browser import launch
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.campaigns.sweep_helpers import (  # noqa: F401  (fixture)
    assigned_deliverable,
    core_checks_only,
    healthy_campaign,
    team_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]
MONDAY = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def digest_of_a_running_webinar():
    """A webinar with two KPIs (registrations reported three weeks running, leads not yet) and a person with
    an overdue deliverable in it: their digest, sent."""
    campaign = healthy_campaign(
        name="Forecasting webinar", kickoff_date=datetime.date(2026, 10, 1), launch_date=datetime.date(2026, 12, 10)
    )
    member = team_member(campaign)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=member, title="Landing page")
    registrations = kpi(campaign, "registrations", target="300")
    kpi(campaign, "net_new_leads", target="40")
    for end, value in (
        (datetime.date(2026, 11, 6), "90"),
        (datetime.date(2026, 11, 13), "180"),
        (datetime.date(2026, 11, 20), "312"),
    ):
        measurement(registrations, value, by=member.person, end=end)
    reminder_sweep(now=MONDAY, enqueue=False)
    digest = Reminder.objects.get(kind="weekly_digest", person=member.person)
    assert reminder_send(reminder_id=digest.pk, now=MONDAY).status == "sent"
    (sent,) = [message for message in mail.outbox if message.to[0].endswith(f"<{member.person.email}>")]
    return campaign, email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)


def test_the_text_body_gives_each_campaigns_figures_in_one_line(digest_of_a_running_webinar):
    _, received = digest_of_a_running_webinar

    text = received.get_body(("plain",)).get_content()
    assert (
        "- Forecasting webinar: Net-new leads: no figure yet (target 40) · Registrations: 312 of 300 (104.0 %)"
    ) in text


def test_the_html_body_shows_each_campaigns_charts_as_a_png_part_of_the_message(digest_of_a_running_webinar):
    campaign, received = digest_of_a_running_webinar

    assert received.get_content_type() == "multipart/related"
    html = received.get_body(("html",)).get_content()
    images = {
        part["Content-ID"].strip("<>"): part for part in received.walk() if part.get_content_maintype() == "image"
    }
    assert list(images) == [f"kpi-charts-{campaign.pk}@comarketing"]
    assert f'src="cid:kpi-charts-{campaign.pk}@comarketing"' in html and "Registrations: 312 of 300" in html
    (png,) = images.values()
    assert png.get_content_type() == "image/png" and png.get_content().startswith(b"\x89PNG")


def test_a_recipient_sees_the_charts_in_the_mail(digest_of_a_running_webinar):
    """Opened as a mail client does (each cid: resolved to its part); the screenshot stays for a person to read."""
    _, received = digest_of_a_running_webinar
    folder = SCREENSHOTS / "digest"
    folder.mkdir(parents=True, exist_ok=True)
    html = received.get_body(("html",)).get_content()
    for part in received.walk():
        if part.get_content_maintype() == "image":
            cid = part["Content-ID"].strip("<>")
            (folder / part.get_filename()).write_bytes(part.get_content())
            html = html.replace(f"cid:{cid}", part.get_filename())
    page_file = folder / "weekly-digest.html"
    page_file.write_text(html)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(viewport={"width": 720, "height": 900}).new_page()
        page.goto(page_file.as_uri())
        widths = page.eval_on_selector_all("img", "images => images.map(image => image.naturalWidth)")
        page.screenshot(path=str(SCREENSHOTS / "weekly-digest.png"), full_page=True)
        browser.close()
    assert widths and all(width > 600 for width in widths)
