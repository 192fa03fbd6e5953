"""E-mails a person can answer: every kind comes from the tracker's address, in the name of the person who acted
("Maria Lopez via Co-marketing tracker"), with a Reply-To that reaches a person; headers survive encoding and
folding; mails that ask for something link to where it is done, with human dates."""

import datetime
import email
from email import policy

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from campaigns.models import Reminder
from campaigns.outbox.reminders import email_of, reminder_send
from campaigns.registries.reminder_sources import sources
from campaigns.services.invitations import invitation_create
from tests.campaigns.factories import joint_campaign
from tests.campaigns.kickoff_factories import reporting_plan
from tests.campaigns.sweep_helpers import due_reminders, written
from tests.conftest import member_of_user


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
