"""Leaving means leaving: once a company leaves a campaign, or its host removes it, nothing about the campaign
reaches that company's people or webhooks any more (reminders, notices, digest lines, webhook events), whichever
door ended its part and whether a message was already waiting in the outbox or not found yet. The one message
it still gets is the notice that it left."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Flag, Party, RaciAssignment, Reminder, ResultsReport, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from campaigns.outbox.webhooks import webhook_send, webhook_sweep
from campaigns.services.invitations import invitation_accept, invitation_create, invitation_decline
from campaigns.services.reports import results_report_build, results_report_request
from meetings.models import ActionItem, Decision, Meeting
from tests.campaigns.factories import DeliverableFactory
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.partners.factories import company_user

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday
GONE = "Company B no longer takes part in “A and B webinar”."


@pytest.fixture(autouse=True)
def the_tests_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def webinar(shared_campaign, alice, carol):
    """Company A hosts, Company B (Carol: decision maker and project lead) takes part. Due this morning: the
    landing page (overdue; Carol Responsible, Alice Accountable), tomorrow's meeting with its video link and
    agenda, Carol's action item, and a critical flag opened half an hour ago; Carol owes a decision too."""
    members = {member.person_id: member for member in shared_campaign.members.all()}
    alice_member, carol_member = members[alice.person.pk], members[carol.person.pk]
    shared_campaign.members.filter(pk=alice_member.pk).update(is_decision_maker=True)
    shared_campaign.members.filter(pk=carol_member.pk).update(is_decision_maker=True, is_project_lead=True)
    landing = DeliverableFactory(
        campaign=shared_campaign, title="Joint landing page", due_date=datetime.date(2026, 11, 23)
    )
    RaciAssignment.objects.create(deliverable=landing, member=carol_member, role="R")
    RaciAssignment.objects.create(deliverable=landing, member=alice_member, role="A")
    series = series_for(
        shared_campaign,
        facilitator=alice_member,
        attendees=[alice_member, carol_member],
        first_date=datetime.date(2026, 11, 25),
        start_time=datetime.time(10, 0),
        time_zone="UTC",
        video_link="https://meet.example/webinar-sync",
        now=NOW,
    )
    meeting = Meeting.objects.filter(series=series).order_by("starts_at").first()
    Meeting.objects.filter(pk=meeting.pk).update(agenda="Budget split for the paid promotion")
    ActionItem.objects.create(
        meeting=meeting, title="Send the speaker bios", owner=carol_member, due_date=datetime.date(2026, 11, 26)
    )
    Decision.objects.create(
        campaign=shared_campaign,
        text="Co-host the spring event?",
        status=Decision.Status.PENDING,
        decided_by=carol_member,
    )
    Flag.objects.create(
        campaign=shared_campaign,
        code="lead_time_missed",
        severity=Flag.Severity.CRITICAL,
        title="The landing page can no longer be done in time",
        opened_at=NOW - datetime.timedelta(minutes=30),
        last_seen_at=NOW - datetime.timedelta(minutes=30),
    )
    return shared_campaign


def _party_of_b(campaign):
    return Party.objects.get(campaign=campaign, organization__name="Company B")


def _host_removes_through_the_api(campaign, alice, carol):
    return api_of(alice).delete(f"/api/parties/{_party_of_b(campaign).pk}/"), 204


def _host_removes_in_the_admin(campaign, alice, carol):
    url = reverse("admin:campaigns_party_delete", args=[_party_of_b(campaign).pk])
    return admin_of(alice).post(url, {"post": "yes"}), 302


def _partner_leaves_through_the_api(campaign, alice, carol):
    return api_of(carol).post(f"/api/campaigns/{campaign.pk}/leave/"), 204


def _partner_leaves_in_the_admin(campaign, alice, carol):
    return admin_of(carol).post(reverse("admin:campaigns_campaign_leave", args=[campaign.pk])), 302


DOORS = {
    "host removes, API": _host_removes_through_the_api,
    "host removes, admin": _host_removes_in_the_admin,
    "partner leaves, API": _partner_leaves_through_the_api,
    "partner leaves, admin": _partner_leaves_in_the_admin,
}


@pytest.fixture(params=DOORS)
def b_leaves(request, webinar, alice, carol):
    """Ends Company B's part in the webinar through one of the doors."""

    def leave():
        response, expected = DOORS[request.param](webinar, alice, carol)
        assert response.status_code == expected, response.content[:2000]
        assert not Party.objects.filter(campaign=webinar, organization__name="Company B").exists()

    return leave


def remove_b(campaign, alice):
    response, _ = _host_removes_through_the_api(campaign, alice, None)
    assert response.status_code == 204, response.content


def kinds_for(person):
    return set(Reminder.objects.filter(person=person).values_list("kind", flat=True))


def send_waiting():
    for reminder_id in Reminder.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True):
        reminder_send(reminder_id=reminder_id)


def mail_to(person):
    return [message for message in mail.outbox if person.email in message.to[0]]


DUE_THIS_MORNING = {"deliverable_overdue", "critical_flag", "meeting_tomorrow"}


# --- Reminders: found by the sweep, checked again when sent -------------------------------------------


def test_the_sweep_finds_nothing_for_the_company_that_left(b_leaves, alice, carol):
    b_leaves()

    reminder_sweep(enqueue=False)

    assert kinds_for(carol.person) == {"party_ended"}  # the notice that it left, nothing else
    assert DUE_THIS_MORNING | {"campaign_change"} <= kinds_for(alice.person)


def test_reminders_waiting_when_it_left_are_dropped_at_send_with_the_reason(b_leaves, alice, carol):
    reminder_sweep(enqueue=False)
    assert DUE_THIS_MORNING | {"action_item_due"} <= kinds_for(carol.person)
    b_leaves()

    send_waiting()

    dropped = Reminder.objects.filter(person=carol.person, status="dropped")
    assert DUE_THIS_MORNING | {"action_item_due"} <= set(dropped.values_list("kind", flat=True))
    assert set(dropped.values_list("dropped_reason", flat=True)) == {GONE}
    (farewell,) = mail_to(carol.person)
    assert farewell.subject in (
        "Company A removed Company B from “A and B webinar”",
        "Company B left “A and B webinar”",
    )
    assert "no longer sees the campaign" in farewell.body
    for secret in ("meet.example", "Budget split", "speaker bios", "can no longer be done in time"):
        assert secret not in farewell.body
    alices = "\n".join(message.body for message in mail_to(alice.person))
    assert "https://meet.example/webinar-sync" in alices and "can no longer be done in time" in alices


def test_the_notice_that_it_left_is_not_sent_once_the_company_joined_again(webinar, alice, carol, company_b):
    remove_b(webinar, alice)
    invitation_accept(invitation=invitation_create(user=alice, campaign=webinar, organization=company_b), user=carol)

    send_waiting()

    farewell = Reminder.objects.get(kind="party_ended")
    assert (farewell.status, farewell.dropped_reason) == ("dropped", "Company B has joined “A and B webinar” again.")


# --- Notices -----------------------------------------------------------------------------------------


def test_results_report_ready_reaches_only_the_companies_still_taking_part(webinar, alice, carol):
    earlier = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)
    remove_b(webinar, alice)
    later = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)
    assert ResultsReport.objects.filter(pk__in=[earlier.pk, later.pk], status="ready").count() == 2

    send_waiting()

    told = Reminder.objects.filter(kind="results_report")
    assert sorted(told.filter(status="sent").values_list("person__full_name", "subject")) == sorted(
        [("Alice", f"results-report:{earlier.pk}"), ("Alice", f"results-report:{later.pk}")]
    )  # both sides sorted: as text, report 10 comes before report 9
    (waiting_when_it_left,) = told.filter(person=carol.person)
    assert (waiting_when_it_left.status, waiting_when_it_left.dropped_reason) == ("dropped", GONE)
    assert not [message for message in mail_to(carol.person) if "results report" in message.subject]


def test_a_campaign_cancelled_after_it_left_is_told_to_the_remaining_companies_only(webinar, alice, carol):
    remove_b(webinar, alice)

    response = api_of(alice).post(f"/api/campaigns/{webinar.pk}/transition/", {"status": "cancelled"}, format="json")

    assert response.status_code == 200, response.content
    cancelled = Reminder.objects.filter(kind="campaign_change", subject__endswith=":cancelled")
    assert list(cancelled.values_list("person__full_name", flat=True)) == ["Alice"]


# --- The weekly digest --------------------------------------------------------------------------------

MONDAY = datetime.datetime(2026, 11, 23, 8, 5, tzinfo=UTC)  # the digest goes out Monday 08:00, their time


def test_the_weekly_digest_leaves_out_the_campaign_it_left(webinar, alice, carol, company_b, other_campaign):
    bea = company_user(company_b, name="Bea")  # on the webinar's team only
    bea_member = member_of_user(webinar, bea)
    RaciAssignment.objects.create(
        deliverable=DeliverableFactory(campaign=webinar, title="Speaker photos", due_date=datetime.date(2026, 11, 27)),
        member=bea_member,
        role="R",
    )
    pricing = DeliverableFactory(
        campaign=other_campaign, title="Pilot pricing sheet", due_date=datetime.date(2026, 12, 1)
    )
    RaciAssignment.objects.create(deliverable=pricing, member=member_of_user(other_campaign, carol), role="R")
    remove_b(webinar, alice)

    reminder_sweep(now=MONDAY, enqueue=False)
    digests = Reminder.objects.filter(kind="weekly_digest")
    assert sorted(digests.values_list("person__full_name", flat=True)) == ["Alice", "Carol"]  # not Bea
    with time_machine.travel(MONDAY, tick=False):
        for digest in digests:
            assert reminder_send(reminder_id=digest.pk).status == "sent"

    (carols,) = [message for message in mail_to(carol.person) if message.subject.startswith("Your week")]
    assert "B and C secret pilot: Deliverable “Pilot pricing sheet”" in carols.body
    for gone in ("A and B webinar", "Joint landing page", "Send the speaker bios", "Co-host the spring event"):
        assert gone not in carols.body
    (alices,) = [message for message in mail_to(alice.person) if message.subject.startswith("Your week")]
    assert "A and B webinar: Deliverable “Joint landing page” (Accountable)" in alices.body


# --- Webhooks -----------------------------------------------------------------------------------------


def endpoint_of(company, url="https://hooks.example.com/in") -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(organization=company, name=f"{company} hook", url=url, reminders=True)


def raise_flag(campaign, title="Nobody is Accountable for “Speaker photos”") -> Flag:
    now = timezone.now()
    return Flag.objects.create(
        campaign=campaign, code="no_accountable", severity="warning", title=title, opened_at=now, last_seen_at=now
    )


def deliveries_to(company):
    return sorted(WebhookDelivery.objects.filter(endpoint__organization=company).values_list("event", "subject"))


def test_the_webhook_sweep_writes_nothing_about_the_campaign_for_the_company_that_left(
    webinar, alice, carol, charlie, company_a, company_b, company_c
):
    endpoint_of(company_a)
    endpoint_of(company_b)
    reminder_sweep(enqueue=False)
    send_waiting()  # reminders to Carol went out while B took part
    remove_b(webinar, alice)
    send_waiting()  # the notice that it left
    raise_flag(webinar)
    report = ResultsReport.objects.create(campaign=webinar, status=ResultsReport.Status.READY, built_at=timezone.now())
    invitation_decline(invitation=invitation_create(user=alice, campaign=webinar, organization=company_c), user=charlie)

    webhook_sweep(enqueue=False)

    farewell = Reminder.objects.get(kind="party_ended", person=carol.person)
    assert deliveries_to(company_b) == [("reminder.sent", f"reminder:{farewell.pk}")]
    received_by_a = {event for event, _ in deliveries_to(company_a)}
    assert {"flag.opened", "results_report.ready", "invitation.answered"} <= received_by_a
    assert ("results_report.ready", f"results-report:{report.pk}") in deliveries_to(company_a)


def test_deliveries_waiting_when_it_left_are_dropped_at_send(webinar, alice, company_a, company_b, receiver):
    a_hook, b_hook = endpoint_of(company_a, receiver.url), endpoint_of(company_b, receiver.url)
    raise_flag(webinar)
    webhook_sweep(enqueue=False)
    waiting_for_b = list(WebhookDelivery.objects.filter(endpoint=b_hook).values_list("pk", flat=True))
    assert waiting_for_b
    remove_b(webinar, alice)

    for delivery_id in waiting_for_b:
        assert webhook_send(delivery_id=delivery_id).status == "dropped"
    assert receiver.requests == []
    assert set(WebhookDelivery.objects.filter(endpoint=b_hook).values_list("dropped_reason", flat=True)) == {
        "Your company no longer takes part in “A and B webinar”."
    }
    (for_a,) = WebhookDelivery.objects.filter(endpoint=a_hook, event="flag.opened")
    assert webhook_send(delivery_id=for_a.pk).status == "sent"
    assert [headers["X-Comarketing-Delivery"] for headers, _ in receiver.requests] == [str(for_a.pk)]


def test_an_invitation_withdrawn_reaches_the_invited_companys_webhook_no_more(webinar, alice, company_c, receiver):
    endpoint_of(company_c, receiver.url)
    waiting = invitation_create(user=alice, campaign=webinar, organization=company_c)
    webhook_sweep(enqueue=False)
    (delivery,) = WebhookDelivery.objects.all()
    assert api_of(alice).post(f"/api/invitations/{waiting.pk}/withdraw/").status_code == 200

    assert webhook_send(delivery_id=delivery.pk).status == "dropped"
    delivery.refresh_from_db()
    assert delivery.dropped_reason == "The invitation was withdrawn before this event went out."
    assert receiver.requests == []

    # Withdrawn before the sweep saw it: no delivery at all.
    second = invitation_create(user=alice, campaign=webinar, organization=company_c)
    assert admin_of(alice).post(reverse("admin:campaigns_invitation_withdraw", args=[second.pk])).status_code == 302
    webhook_sweep(enqueue=False)
    assert list(WebhookDelivery.objects.values_list("subject", flat=True)) == [f"invitation:{waiting.pk}"]
