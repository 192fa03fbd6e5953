"""Pages that tell the truth: flag texts follow their findings, snoozed flags say until when and why, closed
campaigns read as records, and the timeline labels its dates and counts each company's public holidays."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import Campaign, Deliverable, Flag, ResultsReport
from campaigns.registries.checks import checks, where_to_fix
from campaigns.selectors.plans import campaign_plan
from campaigns.services.health import flag_snooze, health_sweep
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.clients import admin_of
from tests.conftest import member_of_user
from utilities.business_days import business_days_between, public_holidays

today = timezone.localdate  # read at each use


def _home(user, campaign) -> str:
    return html.unescape(admin_of(user).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode())


def test_an_open_flag_says_what_its_finding_says_now_with_history(shared_campaign):
    late = DeliverableFactory(campaign=shared_campaign, title="Landing page", due_date=today() - datetime.timedelta(2))
    health_sweep()
    flag = Flag.objects.open().get(campaign=shared_campaign, code="deliverable_overdue")
    Deliverable.objects.filter(pk=late.pk).update(title="Landing page v2")
    Flag.objects.filter(pk=flag.pk).update(title="An old title")

    health_sweep()
    health_sweep()  # nothing changed since: nothing rewritten

    flag.refresh_from_db()
    assert flag.resolved_at is None and "“Landing page v2”" in flag.detail and flag.title == "Deliverable overdue"
    refreshed = flag.history.filter(history_change_reason__startswith="Refreshed by the health sweep")
    assert refreshed.count() == 1 and "“Landing page v2”" in refreshed.get().detail


def test_a_snoozed_flag_stays_in_sight_with_until_when_and_why_for_every_party(shared_campaign, alice, carol):
    health_sweep()
    flag = Flag.objects.open().filter(campaign=shared_campaign, code="no_decision_maker").first()
    until = today() + datetime.timedelta(days=10)
    flag_snooze(flag=flag, user=alice, until=until, reason="Our VP starts next week")

    for person in (alice, carol):
        home = _home(person, shared_campaign)
        set_aside = home.split("Set aside by the team")[1]
        assert f"snoozed until {until:%a} {until.day} {until:%b %Y}" in set_aside
        assert "because: Our VP starts next week" in set_aside


def test_a_closed_campaign_reads_as_a_record_with_its_report_first(company_a, company_b, alice):
    closed = joint_campaign(company_a, company_b, name="Spring webinar", status=Campaign.Status.CLOSED)
    member_of_user(closed, alice, is_decision_maker=True)
    ResultsReport.objects.create(campaign=closed, status=ResultsReport.Status.READY)
    DeliverableFactory(campaign=closed, due_date=today())

    home = _home(alice, closed)

    assert "This campaign is closed" in home and "read-only" in home
    first_panel = home.split('<section class="cockpit-panel module">')[1]
    assert first_panel.lstrip().startswith("<h2>Results report</h2>")
    for offer in ("Move the event date", "Set up the weekly meeting", "Invite a company", "Hand the host role over"):
        assert offer not in home
    form = admin_of(alice).get(f"/admin/campaigns/campaign/{closed.pk}/change/").content.decode()
    assert 'name="name"' not in form  # shown, not editable


def test_business_days_skip_the_public_holidays_of_the_company_doing_the_work(company_a, company_b, settings):
    settings.SIGNOFF_TURNAROUND_BUSINESS_DAYS = 2
    campaign = joint_campaign(company_a, company_b)
    # Due Monday 28 Dec 2026; Friday 25 Dec is Christmas Day in Germany, Saturday 26 Dec a weekend day.
    DeliverableFactory(campaign=campaign, due_date=datetime.date(2026, 12, 28), needs_signoff=True)
    assert campaign_plan(campaign.pk)[0].review_start == datetime.date(2026, 12, 24)  # no country: Fri, Thu

    company_a.country = "DE"  # the host does the work (no channel company)
    company_a.save()

    assert campaign_plan(campaign.pk)[0].review_start == datetime.date(2026, 12, 23)  # Thu, Wed
    german = public_holidays("DE", 2026, 2026)
    assert business_days_between(datetime.date(2026, 12, 23), datetime.date(2026, 12, 28), german) == 2


def test_a_company_country_must_be_one_the_holidays_are_known_for(company_a):
    company_a.country = "XX"
    with pytest.raises(ValidationError, match="Unknown country code XX"):
        company_a.full_clean()


def test_the_timeline_labels_its_dates_and_business_days_left(shared_campaign, alice):
    due = today() + datetime.timedelta(days=21)
    DeliverableFactory(campaign=shared_campaign, title="Landing page", due_date=due)

    timeline = _home(alice, shared_campaign).split("cockpit-timeline")[1].split("</svg>")[0]

    next_monday = today() + datetime.timedelta(days=-today().weekday() % 7 or 7)
    assert f">{next_monday.day} {next_monday:%b}</text>" in timeline
    left = business_days_between(today(), due)
    assert f"{left} business days left" in timeline


def test_every_check_names_a_page_where_its_flags_are_fixed(shared_campaign):
    for code in checks:
        for subject in ("", "organization:3", "deliverable:5"):
            assert where_to_fix(code, shared_campaign.pk, subject).startswith("/admin/")
    assert where_to_fix("deliverable_overdue", 1, "deliverable:5") == "/admin/campaigns/deliverable/5/change/"
    assert where_to_fix("meeting_not_logged", 1, "meeting:7") == "/admin/meetings/meeting/7/change/"
