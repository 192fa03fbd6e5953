"""Health checks, reminder sources and staff permissions of the kickoff, sign-offs, KPIs and reporting plan.

Each check is one query over the open campaigns it is given; each reminder source one query for all
campaigns. Registered when CampaignsConfig.ready() imports this module.
"""

import datetime
import itertools
from collections.abc import Iterator
from functools import reduce
from itertools import groupby
from operator import itemgetter, or_

from django.conf import settings
from django.db.models import Case, CharField, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from campaigns.models import (
    Campaign,
    KickoffCompanyPart,
    KpiAgreement,
    Member,
    Party,
    ReportingPlanReporter,
    SignoffRequest,
    ToolAccess,
)
from campaigns.registries.checks import (
    CRITICAL,
    INFO,
    WARNING,
    Finding,
    campaign_page,
    change_page,
    found_rows,
    health_check,
)
from campaigns.registries.due import due_moments, next_midnight, utc_midnight
from campaigns.registries.reminder_sources import (
    DAILY_REMINDER_TIME,
    DayLabel,
    DueReminder,
    LocalDate,
    LocalMoment,
    Message,
    NoLongerDue,
    compose,
    day_label,
    due_rows,
    local_date,
    local_moment,
    relative_day,
    reminder_source,
    site_link,
    subject_id,
)
from campaigns.selectors.kpis import (
    every_party_has_reporter,
    has_agreed_kpi_with_target,
    has_reporting_plan,
    kind_kpi_mismatch,
    plan_has_frequency,
    reporter_schedules,
    unreported_report_date,
)
from utilities.bulk_rows import streamed

# The reviewer decides on the request's own page; the kickoff's findings are fixed from the campaign's home page
# (its kickoff and KPI panels), where a check without `fix` points.
REVIEW = change_page("admin:campaigns_signoffrequest_change")


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now, timezone=datetime.UTC)


def _reporting_plan_due(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    """A campaign not yet under way needs its plan REPORTING_PLAN_DUE_DAYS_AFTER_KICKOFF after the kickoff."""
    days = settings.REPORTING_PLAN_DUE_DAYS_AFTER_KICKOFF
    waiting = open_campaigns.filter(kickoff_date__gte=_today(now) - datetime.timedelta(days=days)).exclude(
        has_reporting_plan()
    )
    return due_moments(waiting, campaign="pk", moment=utc_midnight("kickoff_date", days=days))


# What a campaign without a reporting plan lacks, each a boolean annotation and how the flag says it is missing.
PLAN_PARTS = (
    ("has_frequency", "how often data is shared"),
    ("has_reporters", "a reporter for every company"),
    ("has_agreed_kpi", "a KPI with a target that every company agreed to"),
)


def _what_the_plan_lacks() -> Case:
    """The flag's sentence for each combination of the plan's parts present and missing."""
    sentences = []
    for present in itertools.product((True, False), repeat=len(PLAN_PARTS)):
        missing = [text for (_, text), there in zip(PLAN_PARTS, present, strict=True) if not there]
        if missing:
            combination = Q(**{name: there for (name, _), there in zip(PLAN_PARTS, present, strict=True)})
            sentence = f"No reporting plan from day one: missing {', '.join(missing)}."
            sentences.append(When(combination, then=Value(sentence)))
    return Case(*sentences, output_field=CharField())


@health_check("no_reporting_plan", severity=CRITICAL, title="No reporting plan", due=_reporting_plan_due, selected=True)
def find_no_reporting_plan(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    cutoff = _today(now) - datetime.timedelta(days=settings.REPORTING_PLAN_DUE_DAYS_AFTER_KICKOFF)
    under_way = (Campaign.Status.PLANNING, Campaign.Status.EXECUTION, Campaign.Status.REPORTING)
    campaigns = (
        open_campaigns.filter(Q(kickoff_date__lte=cutoff) | Q(status__in=under_way))
        .exclude(has_reporting_plan())
        .annotate(
            has_frequency=plan_has_frequency(),
            has_reporters=every_party_has_reporter(),
            has_agreed_kpi=has_agreed_kpi_with_target(),
        )
    )
    return found_rows(campaigns, "", "", _what_the_plan_lacks(), campaign="pk")


def _kickoff_part_due(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    days = settings.KICKOFF_INCOMPLETE_AFTER_DAYS
    waiting = open_campaigns.filter(kickoff_date__gte=_today(now) - datetime.timedelta(days=days))
    return due_moments(waiting, campaign="pk", moment=utc_midnight("kickoff_date", days=days))


@health_check(
    "kickoff_incomplete",
    severity=WARNING,
    title="Kickoff questionnaire incomplete",
    due=_kickoff_part_due,
    selected=True,
)
def find_kickoff_incomplete(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    today = _today(now)
    completed = KickoffCompanyPart.objects.filter(
        campaign_id=OuterRef("campaign_id"), organization_id=OuterRef("organization_id"), completed_at__isnull=False
    )
    parties = Party.objects.filter(
        campaign__in=open_campaigns,
        campaign__kickoff_date__lte=today - datetime.timedelta(days=settings.KICKOFF_INCOMPLETE_AFTER_DAYS),
    ).exclude(Exists(completed))
    # The kickoff's date, not a count of days: an open flag's text is rewritten when its finding changes, and a
    # count would change it (and its history) every day for nothing new.
    return found_rows(
        parties,
        "organization",
        "organization_id",
        F("organization__name"),
        " has not completed its part of the kickoff questionnaire since the kickoff on ",
        DayLabel("campaign__kickoff_date"),
        ".",
    )


def _kpis_due(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    days = settings.KPIS_AGREED_DAYS_BEFORE_LAUNCH
    waiting = open_campaigns.filter(launch_date__gte=_today(now) + datetime.timedelta(days=days))
    return due_moments(waiting, campaign="pk", moment=utc_midnight("launch_date", days=-days))


@health_check("kpis_not_agreed", severity=WARNING, title="KPIs not agreed before launch", due=_kpis_due, selected=True)
def find_kpis_not_agreed(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    today = _today(now)
    agreed = KpiAgreement.objects.filter(
        round__campaign_id=OuterRef("campaign_id"),
        round__superseded_at__isnull=True,
        organization_id=OuterRef("organization_id"),
    )
    parties = Party.objects.filter(
        campaign__in=open_campaigns,
        campaign__launch_date__lte=today + datetime.timedelta(days=settings.KPIS_AGREED_DAYS_BEFORE_LAUNCH),
    ).exclude(Exists(agreed))
    when = Case(When(campaign__launch_date__lt=today, then=Value("launched")), default=Value("launches"))
    return found_rows(
        parties,
        "organization",
        "organization_id",
        F("organization__name"),
        " has not agreed to the campaign's KPIs; the campaign ",
        when,
        " on ",
        DayLabel("campaign__launch_date"),
        ".",
    )


def _missing_access(tool: str) -> Q:
    named = Q(**{f"campaign__kickoff_questionnaire__{tool}_tool__gt": ""})
    return named & ~Exists(ToolAccess.objects.filter(member=OuterRef("pk"), tool=tool, has_access=True))


@health_check("tool_access_unconfirmed", severity=INFO, title="Tool access not confirmed", changes_only=True)
def find_tool_access_unconfirmed(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
    rows = (
        Member.objects.filter(campaign__in=open_campaigns)
        .filter(reduce(or_, (_missing_access(tool) for tool in ToolAccess.Tool.values)))
        .order_by("campaign_id", "person__full_name")
        .values_list("campaign_id", "person__full_name")
    )
    # The rows come campaign by campaign: one campaign's names in memory at a time, not every campaign's.
    for campaign_id, named in groupby(streamed(rows), key=itemgetter(0)):
        names = ", ".join(name for _, name in named)
        yield Finding(campaign_id, "", f"No confirmed access to the campaign's tools for: {names}.")


def _overdue_requests(open_campaigns: QuerySet, now: datetime.datetime, kind: str) -> Iterator[Finding]:
    rows = SignoffRequest.objects.filter(
        deliverable__campaign__in=open_campaigns,
        kind=kind,
        status=SignoffRequest.Status.PENDING,
        due_date__lt=_today(now),
    ).values_list("pk", "deliverable__campaign_id", "deliverable__title", "reviewer__full_name", "due_date")
    label = SignoffRequest.Kind(kind).label
    for pk, campaign_id, title, reviewer, due_date in streamed(rows):
        yield Finding(
            campaign_id,
            f"signoff_request:{pk}",
            f"{label} of “{title}” by {reviewer} was due on {day_label(due_date)} and is still pending.",
        )


def _reviews_due(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    """A pending review is overdue from midnight UTC after its due date."""
    pending = SignoffRequest.objects.filter(
        deliverable__campaign__in=open_campaigns, status=SignoffRequest.Status.PENDING, due_date__gte=_today(now)
    )
    return due_moments(pending, campaign="deliverable__campaign_id", moment=utc_midnight("due_date", days=1))


@health_check("signoff_overdue", severity=WARNING, title="Sign-off overdue", due=_reviews_due, fix=REVIEW)
def find_signoff_overdue(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
    return _overdue_requests(open_campaigns, now, SignoffRequest.Kind.SIGNOFF)


@health_check("legal_review_overdue", severity=WARNING, title="Legal review overdue", due=_reviews_due, fix=REVIEW)
def find_legal_review_overdue(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
    return _overdue_requests(open_campaigns, now, SignoffRequest.Kind.LEGAL)


def _reports_due(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    """Report dates recur: a campaign with a reporting plan is looked at again each midnight (UTC's today is
    all the check compares with)."""
    planned = open_campaigns.filter(plan_has_frequency())
    return due_moments(planned, campaign="pk", moment=next_midnight(now))


@health_check("kpi_report_overdue", severity=WARNING, title="KPI report overdue", due=_reports_due)
def find_kpi_report_overdue(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
    grace_end = _today(now) - datetime.timedelta(days=settings.KPI_REPORT_GRACE_DAYS)
    for schedule in reporter_schedules(open_campaigns):
        report_date = unreported_report_date(schedule, grace_end)
        if report_date is not None:
            yield Finding(
                schedule.campaign_id,
                f"organization:{schedule.organization_id}",
                f"{schedule.organization_name} ({schedule.reporter_name}) has not reported the KPIs due on "
                f"{day_label(report_date)}.",
            )


@health_check(
    "kind_kpi_mismatch",
    severity=INFO,
    title="Co-marketing campaign with sales KPIs only",
    changes_only=True,
    fix=campaign_page("admin:campaigns_campaignkpi_changelist", "campaign__id__exact"),
)
def find_kind_kpi_mismatch(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
    for campaign_id, kind in streamed(open_campaigns.filter(kind_kpi_mismatch()).values_list("pk", "kind")):
        yield Finding(
            campaign_id,
            "",
            f"A {Campaign.Kind(kind).label.lower()} is measured only by sales results (pipeline, deals, revenue): "
            "co-marketing, but expecting co-selling results. Add registrations, attendees or leads.",
        )


def _render_signoff_overdue(reminder) -> Message:
    request = SignoffRequest.objects.select_related("deliverable__campaign").get(pk=subject_id(reminder))
    if request.status != SignoffRequest.Status.PENDING:
        raise NoLongerDue("The reviewer has decided.")
    kind, deliverable = request.get_kind_display(), request.deliverable
    return _asking(
        reminder,
        f"{kind} overdue: “{deliverable.title}” ({deliverable.campaign.name})",
        f"Your {kind.lower()} of “{deliverable.title}” in {deliverable.campaign.name} was due on "
        f"{day_label(request.due_date)}. Please approve it or request changes with a comment.",
        reverse("admin:campaigns_signoffrequest_change", args=[request.pk]),
    )


def _asking(reminder, subject_line: str, sentence: str, path: str) -> Message:
    """A reminder that asks for something, with the link to where it is done."""
    return Message(subject_line, *compose(reminder.person.full_name, [sentence], site_link(path)))


def _reviewers_due(open_campaigns: QuerySet, now: datetime.datetime) -> QuerySet:
    pending = SignoffRequest.objects.filter(
        deliverable__campaign__in=open_campaigns,
        status=SignoffRequest.Status.PENDING,
        due_date__gte=_today(now) - datetime.timedelta(days=2),
    )
    moment = LocalMoment("due_date", "reviewer__time_zone", days=1)
    return due_moments(pending, campaign="deliverable__campaign_id", moment=moment)


@reminder_source(
    "signoff_overdue",
    label="Sign-off or legal review overdue",
    render=_render_signoff_overdue,
    due=_reviewers_due,
)
def signoff_overdue_reminders(now: datetime.datetime) -> QuerySet:
    """To the reviewer, at 09:00 their time on the first day after the due date."""
    requests = (
        SignoffRequest.objects.filter(
            deliverable__campaign__in=Campaign.objects.open(),
            status=SignoffRequest.Status.PENDING,
            due_date__lte=_today(now),  # the day after may already have begun somewhere
        )
        .alias(due_at=LocalMoment("due_date", "reviewer__time_zone", days=1))
        .filter(due_at__lte=now)
    )
    return due_rows(
        requests,
        subject="signoff_request",
        subject_id="pk",
        person="reviewer_id",
        company="reviewer__organization_id",
        due_at=F("due_at"),
        campaign="deliverable__campaign_id",
    )


def _render_kpi_report_due(reminder) -> Message:
    reporter = ReportingPlanReporter.objects.select_related("plan__campaign", "organization").get(
        plan_id=subject_id(reminder), reporter_id=reminder.person_id
    )
    campaign = reporter.plan.campaign
    report_date = local_date(reminder.due_at, reminder.person.time_zone)
    when = relative_day(report_date, reminder.person.time_zone, timezone.now())
    return _asking(
        reminder,
        f"KPI report due {when}: {campaign.name}",
        f"You report the KPIs of {campaign.name} for {reporter.organization}. The report for "
        f"{day_label(report_date)} is due: record the latest values in the tracker.",
        reverse("admin:campaigns_kpimeasurement_add"),
    )


KPI_REPORT_DUE = "kpi_report_due"


def _reporters_due(open_campaigns: QuerySet, now: datetime.datetime) -> list[QuerySet]:
    """Report dates recur: each reporter's campaign is looked at again at the next 09:00 in their zone (today's or
    tomorrow's; the sweep keeps the first still to come)."""
    reporters = ReportingPlanReporter.objects.filter(
        plan__campaign__in=open_campaigns, plan__first_report_date__isnull=False, plan__frequency__gt=""
    )
    zone = "reporter__time_zone"
    today = LocalDate(Value(now, output_field=DateTimeField()), zone)
    return [
        due_moments(reporters, campaign="plan__campaign_id", moment=LocalMoment(today, zone, days=days))
        for days in (0, 1)
    ]


@reminder_source(
    KPI_REPORT_DUE, label="KPI report due", render=_render_kpi_report_due, due=_reporters_due, takes_campaigns=True
)
def kpi_report_due_reminders(now: datetime.datetime, open_campaigns: QuerySet | None = None) -> Iterator[DueReminder]:
    """To each company's reporter, at 09:00 their time on each report date they have not reported for yet."""
    campaigns = Campaign.objects.open() if open_campaigns is None else open_campaigns
    for schedule in reporter_schedules(campaigns, reminder_kind=KPI_REPORT_DUE, now=now):
        zone = schedule.reporter_time_zone
        report_date = unreported_report_date(schedule, local_date(now, zone))
        if report_date is None or (due_at := local_moment(report_date, DAILY_REMINDER_TIME, zone)) > now:
            continue
        if schedule.last_reminded_at is not None and schedule.last_reminded_at >= due_at:
            continue  # in the outbox already: offering it again was most of a steady-state sweep
        yield DueReminder(
            KPI_REPORT_DUE, f"reporting_plan:{schedule.plan_id}", schedule.reporter_id, due_at, schedule.campaign_id
        )
