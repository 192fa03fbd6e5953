"""Reads of KPIs, their figures, the terms agreed to, and the reporting plan.

`with_current_figure()` is THE figure of a KPI (its companies' latest figures summed, or its owning company's,
as the KPI's combination says): progress, the home page, the digest and the results report all read it.

`has_reporting_plan()` is THE definition of "a campaign has a reporting plan", as a filter expression on
campaigns so that checks and flags apply it set-wise: a reporting frequency, a reporter for every party,
and at least one KPI with a target that every party agreed to (in any round).
"""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest

from campaigns.models import (
    AgreedKpiTarget,
    Campaign,
    CampaignKpi,
    KpiMeasurement,
    KpiRound,
    Metric,
    Party,
    Reminder,
    ReportingPlan,
    ReportingPlanReporter,
)
from campaigns.models.kpis import MONEY_DIGITS, Combination, ReportingFrequency, target_text
from campaigns.registries.reminder_sources import subject_of
from utilities.bulk_rows import ROWS_PER_STATEMENT


def has_reporting_plan() -> Q:
    """Filter for campaigns (`Campaign.objects.filter(has_reporting_plan())`, or excluded: the ones without)."""
    return plan_has_frequency() & every_party_has_reporter() & has_agreed_kpi_with_target()


def plan_has_frequency() -> Exists:
    return Exists(ReportingPlan.objects.filter(campaign=OuterRef("pk")).exclude(frequency=""))


def every_party_has_reporter() -> Exists:
    reporter = ReportingPlanReporter.objects.filter(
        plan__campaign_id=OuterRef("campaign_id"), organization_id=OuterRef("organization_id")
    )
    return ~Exists(Party.objects.filter(campaign=OuterRef("pk")).filter(~Exists(reporter)))


def has_agreed_kpi_with_target() -> Exists:
    return Exists(AgreedKpiTarget.objects.filter(round__campaign=OuterRef("pk"), target__isnull=False))


def only_sales_kpis() -> Q:
    """Campaigns with KPIs, all of them sales-stage metrics (pipeline, deals, revenue)."""
    kpis = CampaignKpi.objects.filter(campaign=OuterRef("pk"))
    return Exists(kpis) & ~Exists(kpis.exclude(metric__funnel_stage=Metric.FunnelStage.SALES))


def kind_kpi_mismatch() -> Q:
    """One-off co-marketing campaigns measured only by sales results: co-marketing, expecting co-selling results."""
    return Q(kind__in=Campaign.CO_MARKETING_KINDS) & only_sales_kpis()


def progress_percent(target: Decimal | None, value: Decimal | None) -> Decimal | None:
    """How far a figure is towards the target, in percent (one decimal), or None without both."""
    if target is None or value is None or target == 0:
        return None
    return (value * 100 / target).quantize(Decimal("0.1"))


class _FigureField(DecimalField):
    """A sum of figures, read as a stored figure is (SQLite gives sums unscaled: 312 where PostgreSQL says 312.00)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else value.quantize(Decimal(1).scaleb(-self.decimal_places))


def _names_of(metric: Metric) -> set[str]:
    """How goals may name a metric: its name and its code in words ("ICP-matching leads", "icp leads")."""
    names = {metric.name.lower(), metric.name.lower().replace("-", " "), metric.code.replace("_", " ")}
    return {name for name in names if name.strip()}


def targets_named_in(goals: str, metrics: Iterable[Metric]) -> dict[str, Decimal]:
    """Count targets the goals state plainly, by metric code: "200 registrations, 80 attendees, 25 ICP leads"
    gives {"registrations": 200, "attendees": 80, "icp_leads": 25}. Only whole numbers right before a count
    metric's name, and only when the goals give that metric one number (anything else is left to people)."""
    found: dict[str, Decimal] = {}
    for metric in metrics:
        if metric.unit != Metric.Unit.COUNT or not metric.code:
            continue
        figures = set()
        for name in _names_of(metric):
            stem = re.escape(name[:-1] if name.endswith("s") else name)
            pattern = rf"(?<![\d.,])(\d{{1,3}}(?:,\d{{3}})+|\d+)\s+{stem}s?\b"
            figures |= {match.replace(",", "") for match in re.findall(pattern, goals, flags=re.IGNORECASE)}
        if len(figures) == 1:
            found[metric.code] = Decimal(figures.pop())
    return found


def with_current_figure(kpis: QuerySet[CampaignKpi]) -> QuerySet[CampaignKpi]:
    """Each KPI with its figure, `figure` (None before any report), and the latest period end it counts,
    `figure_as_of`: the sum of each company's latest figure, or the owning company's latest alone."""
    counted = (
        KpiMeasurement.objects.filter(kpi_id=OuterRef("pk"))
        .counted()
        .latest_of_each_company()
        .order_by()
        .values("kpi_id")
    )
    return kpis.select_related("metric", "owner", "campaign").annotate(
        figure=Subquery(
            counted.annotate(total=Sum("value")).values("total"), output_field=_FigureField(**MONEY_DIGITS)
        ),
        figure_as_of=Subquery(counted.annotate(last=Max("period_end")).values("last")),
    )


def kpi_list(*, user: Any) -> QuerySet[CampaignKpi]:
    return with_current_figure(CampaignKpi.objects.for_user(user))


def _lowered(label: str) -> str:
    return label[:1].lower() + label[1:]


@dataclass(frozen=True)
class AgreedTerms:
    """A KPI next to its terms in the last round every company agreed to (`agreed`: None if none covers it)."""

    kpi: CampaignKpi
    agreed: AgreedKpiTarget | None

    @property
    def target(self) -> Decimal | None:
        """The agreed target; the current one for a KPI never agreed to."""
        return self.agreed.target if self.agreed is not None else self.kpi.target

    @property
    def currency(self) -> str:
        return self.agreed.currency if self.agreed is not None else self.kpi.currency

    @property
    def target_display(self) -> str:
        return target_text(self.target, self.kpi.metric.unit, self.currency)

    @property
    def changed_since(self) -> str:
        """What changed since the companies agreed ("agreed 300, now 900, not re-agreed"), or "" if nothing
        (or if they never agreed to it)."""
        if self.agreed is None:
            return ""
        changes = []
        if self.target_display != self.kpi.target_display:
            changes.append(f"agreed {self.target_display}, now {self.kpi.target_display}")
        if self.agreed.combination != self.kpi.combination:
            was, now = Combination(self.agreed.combination).label, Combination(self.kpi.combination).label
            changes.append(f"agreed as {_lowered(was)}, now {_lowered(now)}")
        return ", ".join([*changes, "not re-agreed"]) if changes else ""

    @property
    def note(self) -> str:
        """What a reader of agreed targets must know: a change since, or that it was never agreed to."""
        return "not agreed yet" if self.agreed is None else self.changed_since


def agreed_terms_of(kpis: list[CampaignKpi]) -> dict[int, AgreedTerms]:
    """Each KPI (by id) next to its terms in the last round of its campaign that every company agreed to (one
    query)."""
    last_agreed_round = (
        KpiRound.objects.filter(campaign_id=OuterRef("round__campaign_id"), locked_at__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    agreed = AgreedKpiTarget.objects.filter(kpi_id__in=[kpi.pk for kpi in kpis], round_id=Subquery(last_agreed_round))
    by_kpi = {terms.kpi_id: terms for terms in agreed}
    return {kpi.pk: AgreedTerms(kpi, by_kpi.get(kpi.pk)) for kpi in kpis}


def _plain(number: Decimal | None) -> str | None:
    return None if number is None else f"{number.normalize():f}"


def kpi_export_rows(*, campaign: Campaign) -> list[dict[str, Any]]:
    """The KPI CSV export of one campaign: targets, the KPI's figure and progress."""
    return [
        {
            "metric": kpi.metric.name,
            "funnel_stage": kpi.metric.get_funnel_stage_display(),
            "unit": kpi.metric.get_unit_display(),
            "owner": kpi.owner.name,
            "data_source": kpi.data_source,
            "reporting_frequency": kpi.get_reporting_frequency_display(),
            "target": _plain(kpi.target),
            "currency": kpi.currency,
            "figure_is": kpi.figure_source,
            "latest_value": _plain(kpi.figure),
            "latest_period_end": kpi.figure_as_of,
            "progress_percent": _plain(progress_percent(kpi.target, kpi.figure)),
        }
        for kpi in with_current_figure(CampaignKpi.objects.filter(campaign=campaign))
    ]


_WEEKS = {ReportingFrequency.WEEKLY: 1, ReportingFrequency.BIWEEKLY: 2}


def latest_report_date(
    first: datetime.date | None, frequency: str, on_or_before: datetime.date
) -> datetime.date | None:
    """The last report date of a plan on or before `on_or_before` (None if reporting has not started).

    Computed, not stepped through: the sweeps ask for every reporter of every open campaign."""
    if first is None or not frequency or first > on_or_before:
        return None
    if frequency in _WEEKS:
        days = 7 * _WEEKS[frequency]
        return first + datetime.timedelta(days=(on_or_before - first).days // days * days)
    if frequency != ReportingFrequency.MONTHLY:  # once
        return first
    months = (on_or_before.year - first.year) * 12 + on_or_before.month - first.month
    # Counting from `first` each time keeps month ends stable (31 Jan, 28 Feb, 31 Mar).
    while (candidate := first + relativedelta(months=months)) > on_or_before:
        months -= 1
    return candidate


@dataclass(frozen=True)
class ReporterSchedule:
    """A company's reporter in a campaign whose reporting plan has a schedule, and when that company last
    reported (None: never)."""

    plan_id: int
    campaign_id: int
    organization_id: int
    organization_name: str
    reporter_id: int
    reporter_name: str
    reporter_time_zone: str
    first_report_date: datetime.date
    frequency: str
    last_reported_at: datetime.datetime | None
    last_reminded_at: datetime.datetime | None = None  # asked for with `reminder_kind`


# The shortest time from one report date to the next, less three hours: the next report's 09:00 comes up to
# that much earlier in UTC across a daylight-saving change. A plan reported once counts as the longest, so that
# the reminders the sweep reads stay within a bounded window.
_QUIET = {
    ReportingFrequency.WEEKLY: datetime.timedelta(days=7, hours=-3),
    ReportingFrequency.BIWEEKLY: datetime.timedelta(days=14, hours=-3),
    ReportingFrequency.MONTHLY: datetime.timedelta(days=28, hours=-3),
}
_LONGEST_QUIET = max(_QUIET.values())
# A reminder counts as made from the current schedule and time zone if it was stored this long after the plan
# and its reporter last changed: longer than an edit's transaction, during which a sweep may still read the
# old schedule.
_CHANGE_SETTLE = datetime.timedelta(minutes=10)


def _reminders_of_reporter(reminder_kind: str) -> QuerySet[Reminder]:
    """The outbox's reminders of `reminder_kind` about the plan to the reporter of the outer row."""
    return Reminder.objects.filter(
        kind=reminder_kind, subject=subject_of("reporting_plan", OuterRef("plan_id")), person=OuterRef("reporter_id")
    )


def _not_reminded_of_current_report_date(
    reporters: QuerySet[ReportingPlanReporter], reminders: QuerySet[Reminder], now: datetime.datetime
) -> QuerySet[ReportingPlanReporter]:
    """Without the reporters reminded since their plan and their own record last changed, too recently for
    another report date to have come (most reporters at most times): the reminder sweep need not compute their
    schedule.

    One condition for every frequency, so PostgreSQL answers it with one anti-join over the recent reminders
    rather than probing the outbox for each reporter."""
    quiet_after = Case(
        *(When(plan__frequency=frequency, then=Value(now - quiet)) for frequency, quiet in _QUIET.items()),
        default=Value(now - _LONGEST_QUIET),
    )
    changed_at = Greatest("plan__updated_at", "reporter__updated_at") + Value(_CHANGE_SETTLE)
    # The constant bound lets the database read only the recent reminders; the correlated one is per frequency.
    recent = Q(due_at__gt=now - _LONGEST_QUIET) & Q(due_at__gt=OuterRef("quiet_after"))
    reminded = Exists(reminders.filter(recent, created_at__gte=OuterRef("changed_at")))
    return reporters.alias(quiet_after=quiet_after, changed_at=changed_at).exclude(reminded)


def reporter_schedules(
    campaigns: QuerySet[Campaign], *, reminder_kind: str = "", now: datetime.datetime | None = None
) -> Iterator[ReporterSchedule]:
    """Every scheduled reporter in `campaigns` with its company's last report, from one grouped query, streamed
    (a correlated subquery per reporter grew quadratically with the number of campaigns on PostgreSQL).

    With `reminder_kind` and `now`, for the reminder sweep: without the reporters already reminded of their
    current report date, and with the latest due moment of each one's reminders of that kind about the plan
    (probes of the outbox's unique index)."""
    measurements = "plan__campaign__kpi_measurements"
    reporters = ReportingPlanReporter.objects.filter(
        plan__campaign__in=campaigns, plan__first_report_date__isnull=False, plan__frequency__gt=""
    )
    last_reminded = Value(None, output_field=DateTimeField())
    if reminder_kind:
        reminders = _reminders_of_reporter(reminder_kind)
        last_reminded = Subquery(reminders.order_by("-due_at").values("due_at")[:1])
        reporters = _not_reminded_of_current_report_date(reporters, reminders, now)
    rows = (
        reporters.annotate(last_reminded=last_reminded)
        .values_list(
            "plan_id",
            "plan__campaign_id",
            "organization_id",
            "organization__name",
            "reporter_id",
            "reporter__full_name",
            "reporter__time_zone",
            "plan__first_report_date",
            "plan__frequency",
            "last_reminded",
        )
        .annotate(
            last=Max(
                f"{measurements}__updated_at",  # a figure reported again for its period is a report too
                filter=Q(**{f"{measurements}__organization_id": F("organization_id")}),
            )
        )
        .order_by("plan__campaign_id", "organization__name")
    )
    for *fields, last_reminded, last_reported in rows.iterator(chunk_size=ROWS_PER_STATEMENT):
        yield ReporterSchedule(*fields, last_reported, last_reminded)


def unreported_report_date(schedule: ReporterSchedule, on_or_before: datetime.date) -> datetime.date | None:
    """The latest report date up to `on_or_before` for which this company has not reported yet, or None.

    A figure recorded (or reported again) after the previous report date (any time, for the first report) counts.
    """
    report_date = latest_report_date(schedule.first_report_date, schedule.frequency, on_or_before)
    if report_date is None:
        return None
    previous = latest_report_date(
        schedule.first_report_date, schedule.frequency, report_date - datetime.timedelta(days=1)
    )
    last = schedule.last_reported_at
    covered = last is not None and (previous is None or last.date() > previous)
    return None if covered else report_date
