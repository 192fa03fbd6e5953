"""What a campaign achieved, read for its results report and its KPI charts (a fixed number of queries)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from campaigns.models import Campaign, CampaignKpi, Deliverable, Flag, KpiMeasurement, Learning
from campaigns.models.kpis import Combination
from campaigns.selectors.kpis import AgreedTerms, agreed_terms_of, progress_percent, with_current_figure
from utilities.charts import KpiSeries


@dataclass(frozen=True)
class KpiResult:
    kpi: CampaignKpi
    actual: Decimal | None  # the KPI's figure (campaigns.selectors.kpis.with_current_figure)
    reported_by: str
    series: KpiSeries
    terms: AgreedTerms

    @property
    def progress(self) -> Decimal | None:
        """Against the current target."""
        return progress_percent(self.kpi.target, self.actual)

    @property
    def agreed_progress(self) -> Decimal | None:
        """Against the agreed target (the current one for a KPI never agreed to)."""
        return progress_percent(self.terms.target, self.actual)

    @property
    def met(self) -> bool:
        return self.agreed_progress is not None and self.agreed_progress >= 100


def kpi_results(campaign: Campaign) -> list[KpiResult]:
    return kpi_results_of([campaign])[campaign.pk]


def _summed_over_time(
    points: list[tuple[str, datetime.date, Decimal]],
) -> list[tuple[datetime.date, Decimal]]:
    """The companies' latest figures added up at each period end any of them reported (figures are cumulative);
    `points` are (company, period end, figure) in the order they count."""
    latest: dict[str, Decimal] = {}
    summed: dict[datetime.date, Decimal] = {}
    for company, day, value in points:
        latest[company] = value
        summed[day] = sum(latest.values())
    return list(summed.items())


def kpi_results_of(campaigns: list[Campaign]) -> dict[int, list[KpiResult]]:
    """Each campaign's KPIs with their figures, by campaign id (four queries whatever the number of campaigns).

    Only the figures a KPI counts are charted: every company's for a sum (with the sum over time), the owning
    company's alone otherwise."""
    kpis = list(with_current_figure(CampaignKpi.objects.filter(campaign__in=campaigns)).order_by("metric__name", "pk"))
    counted = KpiMeasurement.objects.filter(kpi__campaign__in=campaigns).counted()
    points = defaultdict(list)
    for kpi_id, company, day, value in counted.order_by("period_end", "pk").values_list(
        "kpi_id", "organization__name", "period_end", "value"
    ):
        points[kpi_id].append((company, day, value))
    reporters = defaultdict(list)
    for latest in counted.latest_of_each_company().select_related("reported_by", "organization"):
        reporters[latest.kpi_id].append(f"{latest.reported_by.full_name} ({latest.organization.name})")
    terms = agreed_terms_of(kpis)
    by_id = {campaign.pk: campaign for campaign in campaigns}
    results = {campaign.pk: [] for campaign in campaigns}
    for kpi in kpis:
        campaign = by_id[kpi.campaign_id]
        by_company = defaultdict(list)
        for company, day, value in points[kpi.pk]:
            by_company[company].append((day, value))
        summed = kpi.combination == Combination.SUM and len(by_company) > 1
        series = KpiSeries(
            kpi.metric.name,
            kpi.metric.get_unit_display(),
            kpi.target,
            dict(by_company),
            campaign.kickoff_date,
            campaign.end_date or campaign.launch_date,
            combined=_summed_over_time(points[kpi.pk]) if summed else [],
        )
        reported_by = ", ".join(sorted(reporters[kpi.pk])) or "—"
        results[campaign.pk].append(KpiResult(kpi, kpi.figure, reported_by, series, terms[kpi.pk]))
    return results


@dataclass(frozen=True)
class DeliverableResult:
    deliverable: Deliverable
    done_on: datetime.date | None

    @property
    def on_time(self) -> bool | None:
        if self.done_on is None or self.deliverable.due_date is None:
            return None
        return self.done_on <= self.deliverable.due_date


def first_done_dates(deliverable_ids) -> dict[int, datetime.date]:
    """The day each deliverable was first approved or published, from its history (one query; pass a
    subquery of ids rather than a long list)."""
    finished = (Deliverable.Status.APPROVED, Deliverable.Status.PUBLISHED)
    first = (
        Deliverable.history.filter(id__in=deliverable_ids, status__in=finished)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    return {deliverable_id: timezone.localdate(moment) for deliverable_id, moment in first}


def deliverable_results(campaign: Campaign) -> list[DeliverableResult]:
    """Each deliverable and the day it was first approved or published."""
    rows = list(campaign.deliverables.exclude(status=Deliverable.Status.CANCELLED).order_by("due_date", "pk"))
    done = first_done_dates(campaign.deliverables.values("pk"))
    return [DeliverableResult(d, done.get(d.pk)) for d in rows]


@dataclass(frozen=True)
class FlagResult:
    flag: Flag
    open_days: int


def flag_results(campaign: Campaign, now: datetime.datetime) -> list[FlagResult]:
    flags = Flag.objects.filter(campaign=campaign).order_by("opened_at", "pk")
    return [FlagResult(flag, ((flag.resolved_at or now) - flag.opened_at).days) for flag in flags]


def learnings(campaign: Campaign) -> list[Learning]:
    return list(Learning.objects.filter(campaign=campaign).select_related("organization"))
