"""E-mails a person can answer: every kind comes from the tracker's address, in the name of the person who acted
("Maria Lopez via Co-marketing tracker"), with a Reply-To that reaches a person; headers survive encoding and
folding; mails that ask for something link to where it is done, with human dates."""

import datetime
import email
import re
import zoneinfo
from dataclasses import dataclass
from email import policy
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Deliverable,
    Flag,
    KickoffQuestionnaire,
    Party,
    RaciAssignment,
    Reminder,
    SignoffApprover,
    SignoffRequest,
)
from campaigns.outbox.reminders import email_of, reminder_send
from campaigns.registries.reminder_sources import sources
from campaigns.services.invitations import campaign_status_notice, invitation_create, party_end
from campaigns.services.reports import results_report_build, results_report_request
from campaigns.services.signoffs import signoff_decide
from comarketing.lockout import tell_the_owner_of_a_locked_login
from meetings.models import ActionItem, Decision, Meeting
from meetings.services import decision_withdraw, meeting_log
from partners.governance import colleague_invite
from partners.models import Person
from tests.campaigns.factories import DeliverableFactory, comment_by, joint_campaign
from tests.campaigns.kickoff_factories import reporting_plan
from tests.campaigns.sweep_helpers import due_reminders, written
from tests.clients import admin_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from utilities.validation import save_validated


def _parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def _row(kind, person, campaign, *, sent_for=None, subject_line="A subject"):
    return Reminder.objects.create(
        kind=kind,
        subject=f"{kind}:1",
        person=person,
        due_at=timezone.now(),
        next_attempt_at=timezone.now(),
        campaign=campaign,
        subject_line=subject_line,
        body_text="Hello",
        sent_for=sent_for,
    )


@pytest.fixture
def leads(shared_campaign, alice, carol):
    """Alice leads for the host (Company A), Carol for the partner."""
    shared_campaign.members.filter(person=alice.person).update(is_project_lead=True)
    shared_campaign.members.filter(person=carol.person).update(is_decision_maker=True)
    return shared_campaign


@pytest.mark.parametrize("kind", sorted(sources))
def test_every_kind_comes_from_the_tracker_in_the_actors_name_and_can_be_answered(kind, leads, alice, carol, bob):
    # Sent for someone (a notice of their act): in their name, replies to them.
    acted = _parsed(email_of(_row(kind, carol.person, leads, sent_for=bob.person)))
    # The tracker's own reminder: its own name, replies to the host's lead (not to the recipient).
    own = _parsed(email_of(_row(kind, carol.person, leads, subject_line="Another")))

    assert acted["From"].addresses[0].display_name == "Bob via Co-marketing tracker"
    assert acted["From"].addresses[0].addr_spec == own["From"].addresses[0].addr_spec  # the tracker's address
    assert acted["Reply-To"].addresses[0].addr_spec == bob.person.email
    assert own["From"].addresses[0].display_name == "Co-marketing tracker"
    assert own["Reply-To"].addresses[0].addr_spec == alice.person.email


def test_a_long_non_ascii_name_and_subject_survive_encoding_and_folding(leads, carol, bob):
    bob.person.full_name = "María-José Ångström-Lindqvist, Head of Partner Marketing"
    bob.person.save()
    subject = "Einladung: „Forecasting mit echten Daten“ — gemeinsames Webinar von Northwind und Bluefin, März"

    row = _row("deliverable_due_soon", carol.person, leads, sent_for=bob.person, subject_line=subject)
    raw = email_of(row).message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)

    assert max(len(line) for line in raw.split(b"\n")) <= 998  # RFC 5322's hard limit: folded, not cut
    assert parsed["Subject"] == subject  # no leading space, nothing lost where it was folded
    assert parsed["From"].addresses[0].display_name == (
        "María-José Ångström-Lindqvist, Head of Partner Marketing via Co-marketing tracker"
    )
    assert parsed["Reply-To"].addresses[0].display_name == "María-José Ångström-Lindqvist, Head of Partner Marketing"


def test_an_invitation_is_sent_in_the_inviters_name_with_human_dates_and_its_link(alice, charlie, company_a, company_c):
    campaign = joint_campaign(
        company_a, name="Summit", launch_date=datetime.date(2026, 12, 3), end_date=datetime.date(2026, 12, 31)
    )
    member_of_user(campaign, alice, is_project_lead=True)
    invitation_create(user=alice, campaign=campaign, organization=company_c)
    row = Reminder.objects.get(kind="invitation", person=charlie.person)
    reminder_send(reminder_id=row.pk)

    (sent,) = mail.outbox
    assert "(Thu 3 Dec 2026 to Thu 31 Dec 2026)" in sent.body and "2026-12-03" not in sent.body
    assert f"{settings.SITE_URL}/" in sent.body
    parsed = _parsed(sent)
    assert parsed["From"].addresses[0].display_name == "Alice via Co-marketing tracker"
    assert parsed["Reply-To"].addresses[0].addr_spec == alice.person.email


def test_the_kpi_report_reminder_links_to_where_figures_are_recorded(shared_campaign):
    plan = reporting_plan(shared_campaign, frequency="weekly", first=datetime.date(2026, 11, 16))
    reporter = plan.reporters.first().reporter
    ten_on_a_report_day = datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC)
    (due,) = [row for row in due_reminders("kpi_report_due", ten_on_a_report_day) if row.person_id == reporter.pk]

    message = written(due)

    assert f"{settings.SITE_URL}/admin/campaigns/kpimeasurement/add/" in message.body_text
    assert f'href="{settings.SITE_URL}/admin/campaigns/kpimeasurement/add/"' in message.body_html


# --- Every kind, read by a recipient in Tokyo: times in their zone, a link to where it is done ------------------

# Tue 24 Nov 20:00 UTC is already Wed 25 Nov, 05:00 in Tokyo (UTC+9): a date or hour written in UTC shows.
NOW = datetime.datetime(2026, 11, 24, 20, 0, tzinfo=datetime.UTC)
TOKYO = "Asia/Tokyo"


@dataclass(frozen=True)
class Expect:
    """Written by hand, per kind: the page the mail links to (a path; "{name}" stands for the id of that object
    of the scenario below), and, for a mail that shows a time or a day that depends on the zone, what the Tokyo
    reader must read and what the same moment reads in UTC (which must not show)."""

    link: str
    tokyo: str = ""
    utc: str = ""
    anonymous: bool = False  # the link works before the recipient has a password (a welcome link)


EVERY_KIND = {
    "action_item_due": Expect("/admin/meetings/actionitem/{item}/change/"),
    "action_item_overdue": Expect("/admin/meetings/actionitem/{item}/change/"),
    "approved_content_changed": Expect("/admin/campaigns/signoffrequest/{signoff}/change/"),
    "campaign_change": Expect("/admin/campaigns/campaign/{campaign}/change/"),
    "colleague_invitation": Expect(r"/welcome/[\w-]+/[\w-]+/", anonymous=True),
    "comment": Expect("/admin/campaigns/deliverable/{deliverable}/change/"),
    "critical_flag": Expect("/admin/campaigns/flag/{flag}/change/"),
    "decision_change": Expect("/admin/meetings/decision/{decision}/change/"),
    "deliverable_due_soon": Expect("/admin/campaigns/deliverable/{deliverable}/change/"),
    "deliverable_overdue": Expect("/admin/campaigns/deliverable/{deliverable}/change/"),
    "invitation": Expect("/admin/campaigns/invitation/{invitation}/change/"),
    "kpi_report_due": Expect(
        "/admin/campaigns/kpimeasurement/add/", tokyo="KPI report due today", utc="KPI report due tomorrow"
    ),
    "login_locked_out": Expect(
        "/admin/password_change/", tokyo="until Wed 25 Nov 2026, 06:00 your time (Asia/Tokyo)", utc="21:00"
    ),
    "meeting_minutes": Expect(
        "/admin/meetings/meeting/{meeting}/change/",
        tokyo="on Thu 26 Nov 2026, 05:00 your time (Asia/Tokyo)",
        utc="Wed 25 Nov",
    ),
    "meeting_tomorrow": Expect(
        "/admin/meetings/meeting/{meeting}/change/",
        tokyo="is tomorrow, Thursday 26 November at 05:00 your time (Asia/Tokyo)",
        utc="20:00",
    ),
    "party_ended": Expect("/admin/"),  # the campaign's own pages are closed to them now
    "results_report": Expect("/admin/campaigns/campaign/{campaign}/home/"),
    "signoff_overdue": Expect("/admin/campaigns/signoffrequest/{signoff}/change/"),
    "signoff_request": Expect(
        "/admin/campaigns/signoffrequest/{signoff}/change/",
        tokyo="by the end of Thursday 26 November 2026, your time (Asia/Tokyo)",
    ),
    "weekly_digest": Expect("/admin/", tokyo="for the week of Mon 23 Nov 2026", utc="Sun 22 Nov"),
}


def test_every_kind_is_written_down_here():
    assert set(EVERY_KIND) == set(sources)


@pytest.fixture
def tokyo(leads, alice, carol, company_b):
    """Carol (Company B, Tokyo) leads the partner's side: she is Responsible for the landing page due Thursday,
    approves it, owns an action item, reports the KPIs and administers her company's logins. The weekly sync
    is Wednesday 20:00 UTC: Thursday 05:00 for her."""
    carol.person.time_zone = TOKYO
    carol.person.is_company_admin = True
    carol.person.save()
    campaign = leads
    alice_member = campaign.members.get(person=alice.person)
    carol_member = campaign.members.get(person=carol.person)
    deliverable = DeliverableFactory(
        campaign=campaign, title="Joint landing page", due_date=datetime.date(2026, 11, 26), type="landing_page"
    )
    RaciAssignment.objects.create(deliverable=deliverable, member=carol_member, role="R")
    RaciAssignment.objects.create(deliverable=deliverable, member=alice_member, role="A")
    series = series_for(
        campaign,
        facilitator=alice_member,
        attendees=[alice_member, carol_member],
        first_date=datetime.date(2026, 11, 25),
        start_time=datetime.time(20, 0),
        time_zone="UTC",
        title="Weekly sync",
        now=NOW,
    )
    meeting = Meeting.objects.filter(series=series).order_by("starts_at").first()
    item = ActionItem.objects.create(
        meeting=meeting, title="Send the speaker bios", owner=carol_member, due_date=datetime.date(2026, 11, 27)
    )
    flag = Flag.objects.create(
        campaign=campaign,
        code="lead_time_missed",
        severity=Flag.Severity.CRITICAL,
        title="The landing page can no longer be done in time",
        opened_at=NOW - datetime.timedelta(minutes=30),
        last_seen_at=NOW - datetime.timedelta(minutes=30),
    )
    decision = Decision.objects.create(
        campaign=campaign, text="Co-host the spring event?", status=Decision.Status.PENDING, decided_by=alice_member
    )
    return SimpleNamespace(
        campaign=campaign,
        deliverable=deliverable,
        meeting=meeting,
        item=item,
        flag=flag,
        decision=decision,
        alice_member=alice_member,
        carol_member=carol_member,
    )


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _rendered(kind, subject, person, campaign, due_at=NOW):
    row = Reminder(kind=kind, subject=subject, person=person, due_at=due_at, campaign=campaign)
    message = sources[kind].render(row)
    return message.subject_line, message.body_text, message.body_html


def _told(kind, person):
    (row,) = Reminder.objects.filter(kind=kind, person=person)
    return row.subject_line, row.body_text, row.body_html


def _in_review(world, carol):
    """The landing page goes into review: Carol is asked for her sign-off."""
    questionnaire = save_validated(KickoffQuestionnaire(campaign=world.campaign))
    save_validated(
        SignoffApprover(questionnaire=questionnaire, deliverable_type="landing_page", member=world.carol_member)
    )
    deliverable = world.deliverable
    deliverable.needs_signoff = True
    deliverable.status = Deliverable.Status.IN_REVIEW
    save_validated(deliverable)
    world.signoff = SignoffRequest.objects.get(deliverable=deliverable, reviewer=carol.person)
    return world.signoff


def _content_changed(world, carol):
    _in_review(world, carol)
    for request in SignoffRequest.objects.filter(deliverable=world.deliverable):
        signoff_decide(request=request, user=request.reviewer.user, status="approved")
    deliverable = Deliverable.objects.get(pk=world.deliverable.pk)
    deliverable.status = Deliverable.Status.APPROVED
    save_validated(deliverable)
    deliverable.title = "Joint landing page, second draft"
    save_validated(deliverable)
    return _told("approved_content_changed", carol.person)


def _kpi_report(world, carol):
    plan = reporting_plan(world.campaign, frequency="weekly", first=datetime.date(2026, 11, 25))
    plan.reporters.filter(organization=carol.person.organization).update(reporter=carol.person)
    report_day_at_nine_in_tokyo = datetime.datetime(2026, 11, 25, 9, tzinfo=zoneinfo.ZoneInfo(TOKYO))
    return _rendered(
        "kpi_report_due", f"reporting_plan:{plan.pk}", carol.person, world.campaign, report_day_at_nine_in_tokyo
    )


def _minutes(world, carol):
    meeting = world.meeting
    with time_machine.travel(meeting.ends_at, tick=False):
        meeting_log(
            meeting=meeting,
            attendance={world.alice_member: "present", world.carol_member: "present"},
            now=meeting.ends_at,
        )
    return _told("meeting_minutes", carol.person)


def _invitation(world, charlie):
    charlie.person.time_zone = TOKYO
    charlie.person.save()
    world.invitation = invitation_create(
        user=world.campaign.members.get(is_project_lead=True, person__organization__name="Company A").person.user,
        campaign=world.campaign,
        organization=charlie.person.organization,
    )
    return _told("invitation", charlie.person)


def _results_report(world, carol, alice):
    report = results_report_request(campaign=world.campaign, user=alice)
    results_report_build(report_id=report.pk)
    return _told("results_report", carol.person)


def _colleague(world, carol):
    colleague_invite(user=carol, full_name="Dana Sato", email="dana@b.example")
    return _told("colleague_invitation", Person.objects.get(email="dana@b.example"))


def _campaign_cancelled(world, carol, alice):
    campaign = world.campaign
    campaign.status = Campaign.Status.CANCELLED
    campaign.save(update_fields=["status"])
    campaign_status_notice(campaign, alice)
    return _told("campaign_change", carol.person)


def _party_ended(world, carol, alice):
    party_end(party=Party.objects.get(campaign=world.campaign, organization=carol.person.organization), user=alice)
    return _told("party_ended", carol.person)


def _locked_out(world, carol):
    tell_the_owner_of_a_locked_login(sender=None, username=carol.username, ip_address="203.0.113.9")
    return _told("login_locked_out", carol.person)


def _mail(kind, world, carol, alice, charlie):
    """The mail of `kind` to its recipient, made the way the tracker makes it: (subject line, text, HTML)."""
    campaign, person = world.campaign, carol.person
    makers = {
        "action_item_due": lambda: _rendered(kind, f"action_item:{world.item.pk}", person, campaign),
        "action_item_overdue": lambda: _rendered(kind, f"action_item:{world.item.pk}", person, campaign),
        "approved_content_changed": lambda: _content_changed(world, carol),
        "campaign_change": lambda: _campaign_cancelled(world, carol, alice),
        "colleague_invitation": lambda: _colleague(world, carol),
        "comment": lambda: (
            comment_by(alice, world.deliverable, "@Carol the hero image, please."),
            _told(kind, person),
        )[1],
        "critical_flag": lambda: _rendered(kind, f"flag:{world.flag.pk}", person, campaign),
        "decision_change": lambda: (decision_withdraw(decision=world.decision, user=alice), _told(kind, person))[1],
        "deliverable_due_soon": lambda: _rendered(kind, f"deliverable:{world.deliverable.pk}", person, campaign),
        "deliverable_overdue": lambda: _rendered(kind, f"deliverable:{world.deliverable.pk}", person, campaign),
        "invitation": lambda: _invitation(world, charlie),
        "kpi_report_due": lambda: _kpi_report(world, carol),
        "login_locked_out": lambda: _locked_out(world, carol),
        "meeting_minutes": lambda: _minutes(world, carol),
        "meeting_tomorrow": lambda: _rendered(kind, f"meeting:{world.meeting.pk}", person, campaign),
        "party_ended": lambda: _party_ended(world, carol, alice),
        "results_report": lambda: _results_report(world, carol, alice),
        "signoff_overdue": lambda: (
            _in_review(world, carol),
            _rendered(kind, f"signoff_request:{world.signoff.pk}", person, campaign),
        )[1],
        "signoff_request": lambda: (_in_review(world, carol), _told(kind, person))[1],
        "weekly_digest": lambda: _rendered(
            kind, "digest:2026-11-22", person, None, datetime.datetime(2026, 11, 23, 8, tzinfo=zoneinfo.ZoneInfo(TOKYO))
        ),
    }
    return makers[kind]()


@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_every_kind_shows_times_in_the_readers_zone_and_links_to_where_it_is_done(
    kind, tokyo, alice, carol, charlie, private_media
):
    expected = EVERY_KIND[kind]
    with time_machine.travel(NOW, tick=False):
        subject_line, text, html = _mail(kind, tokyo, carol, alice, charlie)
    reader = {"invitation": charlie}.get(kind, carol)

    (link,) = re.findall(r"^Open it in the tracker: (\S+)$", text, flags=re.MULTILINE)
    ids = {name: getattr(value, "pk", None) for name, value in vars(tokyo).items()}
    path = expected.link.format(**ids)
    assert re.fullmatch(re.escape(settings.SITE_URL) + path, link), (link, path)
    assert f'href="{link}"' in html
    client = Client() if expected.anonymous else admin_of(reader)
    assert client.get(link.removeprefix(settings.SITE_URL), follow=True).status_code == 200

    read = f"{subject_line}\n{text}"
    words = re.sub(r"https?://\S+", "", read)
    assert "(s)" not in words and not re.search(r"\b[a-z]+_[a-z_]+\b", words), words  # no codes, no "item(s)"
    if expected.tokyo:
        assert expected.tokyo in read, read
    if expected.utc:
        assert expected.utc not in read, read
    assert "UTC" not in read  # nothing shown in the server's zone
