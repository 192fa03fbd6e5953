"""Outgoing webhooks: events of a company's campaigns, delivered to the endpoints it set up.

The webhook sweep finds events in the tables that record them (a flag's opened_at, a report's built_at…):
for each kind of event one INSERT … SELECT writes a delivery per (endpoint, event) the database has not got
yet, so nothing about the number of events passes through Python, and the unique key (endpoint, event,
subject) means an event is never delivered twice however often the sweep offers it. Deliveries then go
through the same outbox life cycle as e-mail (claim, back-off, retry window, failure kept and visible).

A company hears only of the campaigns it takes part in: once it leaves or is removed, the sweep writes no
delivery about that campaign for its endpoints (a condition in the same statement), and one still waiting is
dropped when it would be sent. An invitation is the one event for a company outside the campaign: it goes out
while the invitation waits for an answer.

What is guaranteed: at least once, with the same X-Comarketing-Delivery id on every copy (a receiver that
keeps the ids it saw ignores a copy sent again after a worker died mid-request).
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import (
    Flag,
    Invitation,
    Party,
    Reminder,
    ResultsReport,
    WebhookDelivery,
    WebhookEndpoint,
    company_takes_part,
)
from campaigns.models.webhooks import new_secret, webhook_policy
from campaigns.outbox import lifecycle as outbox
from campaigns.registries import reminder_sources
from campaigns.services import sweep_marks
from utilities import outbound_http
from utilities.bulk_rows import chunked, insert_selected_ignoring_conflicts
from utilities.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Comarketing-Signature"
TEST_EVENT = "test"
SEND_TASK = "campaigns.send_webhook"  # the task that sends one delivery, by id
# Failed deliveries are pointed out (on "My work" and the webhooks' list) for this long.
FAILURES_SHOWN_FOR = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Described:
    """What a delivery says, worked out when it is first sent."""

    summary: str  # one line, e.g. "Flag raised on “Spring webinar”: no named decision maker"
    link_path: str
    data: dict


@dataclass(frozen=True)
class WebhookEvent:
    code: str  # e.g. "flag.opened", as receivers see it
    label: str
    toggle: str  # the endpoint's field that subscribes to it
    # (subscribed endpoints, since) -> (its events joined to those endpoints, and what to select from them:
    # the endpoint's id, the subject, the moment it occurred, the campaign's id)
    find: Callable[[QuerySet, datetime.datetime], tuple[QuerySet, tuple]]
    describe: Callable[[WebhookDelivery], Described]
    # None: it goes to the endpoints of companies taking part in its campaign (the sweep writes deliveries for
    # those only, the send checks again). An event with an audience of its own selects it in `find` and tells
    # here, at the moment of sending, why a delivery no longer applies (None: send it).
    recheck: Callable[[WebhookDelivery], str | None] | None = None


events: dict[str, WebhookEvent] = {}


def webhook_event(code: str, *, label: str, toggle: str, find: Callable, recheck: Callable | None = None):
    def register(describe: Callable[[WebhookDelivery], Described]):
        events[code] = WebhookEvent(code, label, toggle, find, describe, recheck)
        return describe

    return register


def _no_longer_a_party(delivery: WebhookDelivery) -> str | None:
    """Why a delivery about a campaign no longer applies to its endpoint's company (None: it still takes part)."""
    organization_id = delivery.endpoint.organization_id
    if (
        delivery.campaign_id is None
        or Party.objects.filter(campaign_id=delivery.campaign_id, organization_id=organization_id).exists()
    ):
        return None
    return f"Your company no longer takes part in “{delivery.campaign.name}”."


def _within_window(moment: str, since: datetime.datetime) -> Q:
    """Events within the look-back, and never from before the endpoint was made (no backlog for a new one). The
    plain bound as well: compared with the endpoint's column alone, PostgreSQL read every event through the join
    instead of the window's through the moment's index (1.5 million rows for a quiet minute at 10,000 campaigns)."""
    made = Greatest(Value(since, output_field=DateTimeField()), F("created_at"))
    return Q(**{f"{moment}__gte": since}) & Q(**{f"{moment}__gte": made})


def _via_parties(path: str, moment: str, prefix: str, **conditions):
    """Events of a campaign's rows (`path` from the endpoint's company through its parties), for every party."""

    def find(endpoints: QuerySet, since: datetime.datetime) -> QuerySet:
        where = {f"{path}__{name}": value for name, value in conditions.items()}
        joined = endpoints.filter(_within_window(f"{path}__{moment}", since), **where)
        return joined, (
            "pk",
            reminder_sources.subject_of(prefix, f"{path}__id"),
            f"{path}__{moment}",
            "organization__campaign_parties__campaign_id",
        )

    return find


def _flag(delivery: WebhookDelivery, verb: str) -> Described:
    flag = Flag.objects.select_related("campaign").get(pk=reminder_sources.subject_id(delivery))
    return Described(
        summary=f"{verb} on “{flag.campaign.name}”: {flag.title}",
        link_path=reverse("admin:campaigns_campaign_home", args=[flag.campaign_id]),
        data={
            "flag": {
                "id": flag.pk,
                "title": flag.title,
                "detail": flag.detail,
                "severity": flag.get_severity_display(),
                "opened_at": flag.opened_at.isoformat(),
                "resolved_at": flag.resolved_at.isoformat() if flag.resolved_at else None,
            }
        },
    )


@webhook_event(
    "flag.opened",
    label="Flag raised",
    toggle="flags",
    find=_via_parties("organization__campaign_parties__campaign__flags", "opened_at", "flag"),
)
def _flag_opened(delivery):
    return _flag(delivery, "Flag raised")


@webhook_event(
    "flag.resolved",
    label="Flag cleared",
    toggle="flags",
    find=_via_parties("organization__campaign_parties__campaign__flags", "resolved_at", "flag"),
)
def _flag_resolved(delivery):
    return _flag(delivery, "Flag cleared")


def _invitation(delivery: WebhookDelivery) -> tuple[Invitation, dict]:
    invitation = Invitation.objects.select_related("campaign", "organization").get(
        pk=reminder_sources.subject_id(delivery)
    )
    return invitation, {
        "invitation": {
            "id": invitation.pk,
            "company": invitation.invitee_name,
            "status": invitation.get_status_display(),
            "message": invitation.message,
        }
    }


def _invitations_to_my_company(endpoints: QuerySet, since: datetime.datetime) -> QuerySet:
    path = "organization__campaign_invitations"
    joined = endpoints.filter(
        _within_window(f"{path}__created_at", since), **{f"{path}__status": Invitation.Status.PENDING}
    )
    return joined, (
        "pk",
        reminder_sources.subject_of("invitation", f"{path}__id"),
        f"{path}__created_at",
        f"{path}__campaign_id",
    )


def _invitation_still_waiting(delivery: WebhookDelivery) -> str | None:
    invitation = Invitation.objects.get(pk=reminder_sources.subject_id(delivery))
    if invitation.is_pending:
        return None
    return f"The invitation was {invitation.get_status_display().lower()} before this event went out."


@webhook_event(
    "invitation.received",
    label="Invitation to a campaign",
    toggle="invitations",
    find=_invitations_to_my_company,
    recheck=_invitation_still_waiting,
)
def _invitation_received(delivery):
    invitation, data = _invitation(delivery)
    link_path = reverse("admin:campaigns_invitation_change", args=[invitation.pk])
    return Described(f"Your company is invited to join “{invitation.campaign.name}”", link_path, data)


@webhook_event(
    "invitation.answered",
    label="Invitation accepted or declined",
    toggle="invitations",
    find=_via_parties(
        "organization__campaign_parties__campaign__invitations",
        "answered_at",
        "invitation",
        status__in=[Invitation.Status.ACCEPTED, Invitation.Status.DECLINED],
    ),
)
def _invitation_answered(delivery):
    invitation, data = _invitation(delivery)
    answer = f"{invitation.invitee_name} {invitation.get_status_display().lower()} the invitation"
    link_path = reverse("admin:campaigns_campaign_home", args=[invitation.campaign_id])
    return Described(f"{answer} to “{invitation.campaign.name}”", link_path, data)


@webhook_event(
    "results_report.ready",
    label="Results report ready",
    toggle="results_reports",
    find=_via_parties(
        "organization__campaign_parties__campaign__results_reports",
        "built_at",
        "results-report",
        status=ResultsReport.Status.READY,
    ),
)
def _report_ready(delivery):
    report = ResultsReport.objects.select_related("campaign").get(pk=reminder_sources.subject_id(delivery))
    download = {
        kind: reminder_sources.site_link(reverse("campaigns:results-report", args=[report.pk, kind]))
        for kind in ("pdf", "csv")
    }
    return Described(
        summary=f"The results report of “{report.campaign.name}” is ready",
        link_path=reverse("admin:campaigns_campaign_home", args=[report.campaign_id]),
        data={"results_report": {"id": report.pk, "pdf_url": download["pdf"], "csv_url": download["csv"]}},
    )


def _kinds_for_outsiders() -> list[str]:
    """Reminder kinds written for people outside their campaign (an invitation, the notice to a company that left):
    checked for their recipient when they were sent."""
    return [kind for kind, source in reminder_sources.sources.items() if source.recipient_check is not None]


def _reminders_to_my_people(endpoints: QuerySet, since: datetime.datetime) -> QuerySet:
    path = "organization__people__reminders"
    joined = endpoints.filter(
        Q(**{f"{path}__campaign__isnull": True})
        | Q(**{f"{path}__kind__in": _kinds_for_outsiders()})
        | company_takes_part(f"{path}__campaign_id", "organization"),
        _within_window(f"{path}__sent_at", since),
        **{f"{path}__status": Reminder.Status.SENT},
    )
    return joined, (
        "pk",
        reminder_sources.subject_of("reminder", f"{path}__id"),
        f"{path}__sent_at",
        f"{path}__campaign_id",
    )


def _reminder_still_ours(delivery: WebhookDelivery) -> str | None:
    kind = Reminder.objects.filter(pk=reminder_sources.subject_id(delivery)).values_list("kind", flat=True).get()
    return None if kind in _kinds_for_outsiders() else _no_longer_a_party(delivery)


@webhook_event(
    "reminder.sent",
    label="Reminder sent to one of our people",
    toggle="reminders",
    find=_reminders_to_my_people,
    recheck=_reminder_still_ours,
)
def _reminder_sent(delivery):
    reminder = Reminder.objects.select_related("person").get(pk=reminder_sources.subject_id(delivery))
    source = reminder_sources.sources.get(reminder.kind)
    return Described(
        summary=f"Reminder to {reminder.person.full_name}: {reminder.subject_line}",
        link_path=reverse("admin:campaigns_campaign_home", args=[reminder.campaign_id])
        if reminder.campaign_id
        else "/",
        data={
            "reminder": {
                "id": reminder.pk,
                "kind": source.label if source else reminder.kind,
                "recipient": reminder.person.full_name,
                "subject_line": reminder.subject_line,
                "due_at": reminder.due_at.isoformat(),
            }
        },
    )


@dataclass
class WebhookSweepResult:
    created: int = 0
    queued: list[int] = field(default_factory=list)
    failed_events: list[str] = field(default_factory=list)


def _deliveries_of(
    event: WebhookEvent, since: datetime.datetime, now: datetime.datetime, campaign_ids: list[int] | None = None
) -> int:
    subscribed = WebhookEndpoint.objects.filter(is_active=True, **{event.toggle: True})
    joined, (endpoint, subject, occurred_at, campaign) = event.find(subscribed, since)
    found = joined.values(
        found_endpoint=F(endpoint), found_subject=subject, found_at=F(occurred_at), found_campaign=F(campaign)
    )
    if campaign_ids is not None:
        found = found.filter(found_campaign__in=campaign_ids)
    if event.recheck is None:  # beside "no campaign", as in the reminder sweep: probed by the campaign's index
        found = found.filter(Q(found_campaign__isnull=True) | company_takes_part("found_campaign", "organization"))
    # In the order of the deliveries' unique key (the event is the same in every row), not the endpoints' order by
    # company name: each row's key then lands next to the last one's in the index (a first run's 1.5 million
    # deliveries at 100,000 campaigns: 13.4 s instead of 16.2 s).
    found = found.order_by("found_endpoint", "found_subject")
    columns = {
        "endpoint": "found_endpoint",
        "subject": "found_subject",
        "occurred_at": "found_at",
        "campaign": "found_campaign",
    }
    starting = {
        "event": event.code,
        "status": WebhookDelivery.Status.PENDING,
        "attempts": 0,
        "last_error": "",
        "payload": "",
        "next_attempt_at": now,
        "created_at": now,
    }
    return insert_selected_ignoring_conflicts(WebhookDelivery, found, columns, starting)


def webhook_sweep(
    *, now: datetime.datetime | None = None, enqueue: bool = True, incremental: bool = False
) -> WebhookSweepResult:
    """Write a delivery for every event an active, subscribed endpoint has not got yet (events since the
    endpoint was made, within WEBHOOK_LOOKBACK_HOURS), then enqueue the deliveries ready to send.

    `incremental` (the scheduled sweep) reads the events since its last run (less SWEEP_LATE_COMMIT_MARGIN_SECONDS
    for events committed after the moment they record) instead of the whole look-back, and the whole look-back
    only for campaigns whose parties or endpoints changed since (a company that joined hears of the day's events,
    as a full run would tell it)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=settings.WEBHOOK_LOOKBACK_HOURS)
    result = WebhookSweepResult()
    full = not sweep_marks.sweep_runs_incrementally(sweep_marks.WEBHOOKS, full=not incremental, now=now)
    with transaction.atomic():
        if full:
            sweep_marks.sweep_marks_clear(sweep_marks.WEBHOOKS)
            windows = [(since, None)]
        else:
            margin = datetime.timedelta(seconds=settings.SWEEP_LATE_COMMIT_MARGIN_SECONDS)
            recent = max(since, sweep_marks.sweep_watermark(sweep_marks.WEBHOOKS) - margin)
            changed = sweep_marks.sweep_marks_take(sweep_marks.WEBHOOKS, now)
            windows = [(recent, None), *((since, chunk) for chunk in chunked(changed))]
        for event in events.values():
            try:
                with transaction.atomic():
                    for window_start, campaign_ids in windows:
                        result.created += _deliveries_of(event, window_start, now, campaign_ids)
            except Exception:
                logger.exception("Webhook event %s could not be gathered; the others still are", event.code)
                result.failed_events.append(event.code)
        _, result.queued = outbox.enqueue_due(WebhookDelivery, SEND_TASK, now, enqueue=enqueue)
        sweep_marks.sweep_completed(sweep_marks.WEBHOOKS, now, full=full, wrote=[WebhookDelivery])
    return result


def _test_event(delivery: WebhookDelivery) -> Described:
    return Described(
        summary=f"A test from the campaign tracker: “{delivery.endpoint.name}” receives your company's events",
        link_path=reverse("admin:campaigns_webhookendpoint_change", args=[delivery.endpoint_id]),
        data={},
    )


def event_label(event: str) -> str:
    return "Test" if event == TEST_EVENT else getattr(events.get(event), "label", event)


def _slack_escape(text: str) -> str:
    """Text as Slack shows it, never as markup: a name such as "<!channel> <https://evil.example|Sign in>" would
    otherwise ping a whole channel or show a link of someone else's making (Slack's escaping of &, < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    """A link we make ourselves: <url|label>, with a | in the address encoded so it cannot end the address early."""
    return f"<{_slack_escape(url).replace('|', '%7C')}|{_slack_escape(label)}>"


def payload_of(delivery: WebhookDelivery) -> str:
    """The body of a delivery in its endpoint's format (JSON for the company's systems, or a Slack message whose
    every rendered field, the notification text and the blocks alike, carries people's text escaped)."""
    described = _test_event(delivery) if delivery.event == TEST_EVENT else events[delivery.event].describe(delivery)
    link = reminder_sources.site_link(described.link_path)
    if delivery.endpoint.format == WebhookEndpoint.Format.SLACK:
        summary, open_it = _slack_escape(described.summary), _slack_link(link, "Open it in the tracker")
        line = f"*{_slack_escape(event_label(delivery.event))}*: {summary}"
        return json.dumps(
            {
                "text": f"{summary} {open_it}",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"{line}\n{open_it}"}}],
            }
        )
    campaign = delivery.campaign
    return json.dumps(
        {
            "id": delivery.pk,
            "event": delivery.event,
            "label": event_label(delivery.event),
            "occurred_at": delivery.occurred_at.isoformat(),
            "summary": described.summary,
            "url": link,
            "campaign": {"id": campaign.pk, "name": campaign.name, "status": campaign.get_status_display()}
            if campaign
            else None,
            **described.data,
        }
    )


def signature(secret: str, timestamp: int, body: str) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret, as hex. A receiver computes the same and
    compares in constant time, and refuses a timestamp more than a few minutes old (a replayed delivery)."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def signed_headers(delivery: WebhookDelivery, body: str, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "User-Agent": "comarketing-webhooks/1",
        "X-Comarketing-Event": delivery.event,
        "X-Comarketing-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(delivery.endpoint.secret, timestamp, body)}",
    }


TRANSIENT_STATUSES = {408, 425, 429}


def _post(delivery: WebhookDelivery, body: str) -> int:
    """Through the one outbound door: public addresses only, resolved once, no redirects, capped and timed."""
    answer = outbound_http.post(
        delivery.endpoint.url, body=body.encode(), headers=signed_headers(delivery, body), policy=webhook_policy()
    )
    return answer.status


def _recheck(delivery: WebhookDelivery) -> str | None:
    """Why a delivery no longer applies, at the moment of sending (None: send it)."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return "The webhook was turned off."
    if delivery.event == TEST_EVENT:
        return None
    event = events[delivery.event]
    if not getattr(endpoint, event.toggle):
        return "The webhook no longer subscribes to this kind of event."
    return (event.recheck or _no_longer_a_party)(delivery)


def webhook_send(*, delivery_id: int, now: datetime.datetime | None = None) -> outbox.SendOutcome:
    now = now or timezone.now()
    if not outbox.claim(WebhookDelivery, delivery_id, now):
        return outbox.SendOutcome("skipped")
    delivery = WebhookDelivery.objects.select_related("endpoint", "campaign").get(pk=delivery_id)
    if reason := _recheck(delivery):
        return outbox.mark_dropped(delivery, reason)
    try:
        if not delivery.payload:
            delivery.payload = payload_of(delivery)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=delivery.payload)
        status = _post(delivery, delivery.payload)
    except outbound_http.OutboundRefused as refused:
        return outbox.after_failure(delivery, str(refused), now=now, transient=False)
    except outbound_http.OutboundUnreachable as unreachable:  # not found, not reached, or past the deadline
        return outbox.after_failure(delivery, str(unreachable), now=now, transient=True)
    except Exception as error:
        logger.exception("Webhook delivery %s could not be written or sent", delivery_id)
        return outbox.after_failure(delivery, f"{type(error).__name__}: {error}", now=now, transient=False)
    if 200 <= status < 300:
        return outbox.mark_sent(delivery, timezone.now(), response_status=status)
    transient = status >= 500 or status in TRANSIENT_STATUSES
    error = f"The address answered HTTP {status}."
    if 300 <= status < 400:
        error += " Redirects are not followed: give the final address."
    return outbox.after_failure(delivery, error, now=now, transient=transient, response_status=status)


@transaction.atomic
def webhook_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event to one endpoint, sent at once (the button "Send a test")."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=TEST_EVENT,
        subject=f"test:{now.timestamp()}",
        occurred_at=now,
        next_attempt_at=now,
        enqueued_at=now,
    )
    enqueue_on_commit(SEND_TASK, delivery.pk)
    return delivery


@transaction.atomic
def webhook_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A failed delivery gets a fresh set of attempts at the next webhook sweep (its content stays the same)."""
    return outbox.resend(delivery)


@transaction.atomic
def webhook_new_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret (the old one stops working for deliveries signed from now on)."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint
