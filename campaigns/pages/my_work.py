"""The campaigns' panels of "My work": invitations, sign-offs waiting for me, my deliverables, my campaigns."""

import datetime

from django.db.models import Count, F, Max, Prefetch
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Deliverable,
    Flag,
    Invitation,
    RaciAssignment,
    Reminder,
    ResultsReport,
    SendingPause,
    SignoffRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from campaigns.models.flags import severity_rank
from campaigns.outbox.lifecycle import pause_of
from campaigns.outbox.webhooks import FAILURES_SHOWN_FOR
from campaigns.selectors.core import invitations_with_host
from campaigns.selectors.flags import with_flag_columns, worst_first_candidates
from campaigns.selectors.ours import due_for_company, due_for_partners
from campaigns.selectors.scorecard import scorecards
from partners.dashboard import PANEL_ROWS, bounded, my_work
from partners.models import Organization, PartnerRelationship
from partners.scoping import organization_id_of

SOON = datetime.timedelta(days=7)
RECENTLY_CLOSED = datetime.timedelta(days=90)


@my_work.panel("Late or due for your company", "campaigns/panels/ours.html", order=1)
def ours(request):
    """What is late or due this week for my company, and what our campaigns wait for from the partners: the first
    thing a person sees, saying so plainly when nothing of ours is late."""
    organization_id = organization_id_of(request.user)
    if organization_id is None:
        return None  # the operator has no company of their own
    company = Organization.objects.filter(pk=organization_id).values_list("name", flat=True).first() or ""
    today = timezone.localdate()
    for_us = due_for_company(request.user, organization_id, company, today + SOON, PANEL_ROWS)
    for_partners = due_for_partners(request.user, organization_id, today + SOON, PANEL_ROWS)
    return {
        "title": f"Late or due for {company}",
        "company": company,
        "for_us": for_us,
        "late_for_us": sum(row.is_late(today) for row in for_us),
        "for_partners": for_partners,
        "today": today,
    }


@my_work.panel("Invitations for your company", "campaigns/panels/invitations.html", order=10)
def invitations(request):
    organization_id = organization_id_of(request.user)
    if organization_id is None:
        return None
    pending = Invitation.objects.for_user(request.user).pending().filter(organization_id=organization_id)
    found = bounded(invitations_with_host(pending.select_related("campaign", "invited_by")).order_by("created_at"))
    return found if found["rows"] else None


@my_work.panel("Sign-offs and legal reviews waiting for you", "campaigns/panels/signoffs.html", order=20)
def signoffs(request):
    waiting = SignoffRequest.objects.for_user(request.user).filter(
        reviewer__user=request.user, status=SignoffRequest.Status.PENDING
    )
    found = bounded(waiting.select_related("deliverable__campaign").order_by("due_date", "pk"))
    return {**found, "today": timezone.localdate()} if found["rows"] else None


@my_work.panel("Your deliverables due soon", "campaigns/panels/my_deliverables.html", order=30)
def my_deliverables(request):
    today = timezone.localdate()
    mine = RaciAssignment.objects.filter(
        member__person__user=request.user, role__in=[RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE]
    )
    due = (
        Deliverable.objects.for_user(request.user)
        .filter(pk__in=mine.values("deliverable_id"), due_date__lte=today + SOON)
        .exclude(status__in=[*Deliverable.DONE_STATUSES, Deliverable.Status.APPROVED])
        .select_related("campaign")
        .order_by("due_date", "pk")
    )
    found = bounded(due)
    return {**found, "today": today} if found["rows"] else None


@my_work.panel("Your campaigns", "campaigns/panels/campaign_health.html", order=60)
def campaign_health(request):
    today = timezone.localdate()
    candidates = worst_first_candidates(Campaign.objects.for_user(request.user).open(), today, PANEL_ROWS + 1)
    campaigns = with_flag_columns(candidates, today).prefetch_related(
        Prefetch(
            "flags",
            Flag.objects.needing_attention(today).order_by(severity_rank(), "title"),
            to_attr="flags_needing_attention",
        )
    )
    # Worst first: campaigns with critical flags lead, healthy ones follow by launch date.
    found = bounded(campaigns.order_by(F("worst_flag_rank").asc(nulls_last=True), "launch_date", "pk"))
    companies = _companies_named(campaign.flags_needing_attention for campaign in found["rows"])
    for campaign in found["rows"]:
        campaign.attention = _by_kind(campaign.flags_needing_attention, companies)
    title = "Campaigns by health" if request.user.is_superuser else "Your campaigns"
    # One click from My work to a new campaign, for those whose company (or, the operator, any company) may host.
    may_start = request.user.is_superuser or organization_id_of(request.user) is not None
    return {**found, "title": title, "today": today, "may_start": may_start}


def _companies_named(flag_lists) -> dict[str, str]:
    """The names of the companies flags are about ("organization:3" -> "Bluefin Consulting"), in one query."""
    subjects = {flag.subject for flags in flag_lists for flag in flags if flag.subject.startswith("organization:")}
    ids = [int(subject.partition(":")[2]) for subject in subjects]
    names = Organization.objects.filter(pk__in=ids).values_list("pk", "name") if ids else []
    return {f"organization:{pk}": name for pk, name in names}


def _by_kind(flags: list[Flag], companies: dict[str, str]) -> list[tuple[Flag, int, str]]:
    """Open flags by kind, worst first: one "No decision maker (Bluefin, Cobalt)" rather than one badge per
    company, each with the companies it is about."""
    kinds: dict[str, list[Flag]] = {}
    for flag in flags:
        kinds.setdefault(flag.code, []).append(flag)
    return [
        (same[0], len(same), ", ".join(sorted(companies[f.subject] for f in same if f.subject in companies)))
        for same in kinds.values()
    ]


@my_work.panel("Recently closed", "campaigns/panels/recently_closed.html", order=65)
def recently_closed(request):
    """Campaigns closed in the last RECENTLY_CLOSED, with their results reports: what they achieved stays one
    click away after they leave "Your campaigns"."""
    closed = (
        Campaign.objects.for_user(request.user)
        .filter(status__in=Campaign.CLOSED_STATUSES, updated_at__gte=timezone.now() - RECENTLY_CLOSED)
        .prefetch_related(
            Prefetch(
                "results_reports",
                ResultsReport.objects.filter(status=ResultsReport.Status.READY).order_by("-created_at"),
                to_attr="ready_reports",
            )
        )
        .order_by("-updated_at", "pk")
    )
    found = bounded(closed)
    return found if found["rows"] else None


@my_work.panel("Your webhooks are failing", "campaigns/panels/webhook_failures.html", order=15)
def webhook_failures(request):
    """Endpoints of my company with deliveries that failed in the last week: events are not arriving."""
    since = timezone.now() - FAILURES_SHOWN_FOR
    failing = (
        WebhookEndpoint.objects.for_user(request.user)
        .filter(deliveries__status=WebhookDelivery.Status.FAILED, deliveries__created_at__gte=since)
        .annotate(failures=Count("deliveries"), last_error=Max("deliveries__last_error"))
        .order_by("-failures", "name")
    )
    found = bounded(failing)
    return found if found["rows"] else None


@my_work.panel("Partner scorecards", "campaigns/panels/scorecards.html", order=70)
def partner_scorecards(request):
    found = bounded(PartnerRelationship.objects.for_user(request.user).select_related("vendor", "partner"))
    if not found["rows"]:
        return None
    cards = scorecards(found["rows"], request.user)
    # The oldest figures shown: the page is at least as fresh as that.
    return {"cards": cards, "more": found["more"], "computed_at": min(card.computed_at for card in cards)}


@my_work.panel("E-mail is paused", "campaigns/panels/mail_paused.html", order=5)
def mail_paused(request):
    """The operator's: the mail server refuses our sender (or greets us with a refusal, or our login); reminders
    wait and are retried instead of failing, until the first one goes out again."""
    if not request.user.is_superuser:
        return None
    pause = pause_of(SendingPause.MAIL)
    if pause is None:
        return None
    waiting = Reminder.objects.filter(status=Reminder.Status.PENDING).count()
    return {"pause": pause, "waiting": waiting, "paused_now": pause.paused_until > timezone.now()}
