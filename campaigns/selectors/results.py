"""What a campaign achieved, read for its results report and its KPI charts (a fixed number of queries)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from campaigns.models import Campaign, CampaignKpi, Deliverable, Flag, KpiMeasurement, Learning
from campaigns.selectors.kpis import progress_percent
from utilities.charts import KpiSeries


@dataclass(frozen=True)
class KpiResult:
    kpi: CampaignKpi
    actual: Decimal | None
    reported_by: str
    progress: Decimal | None
    series: KpiSeries

    @property
    def met(self) -> bool:
        return self.progress is not None and self.progress >= 100


def kpi_results(campaign: Campaign) -> list[KpiResult]:
    return kpi_results_of([campaign])[campaign.pk]


def kpi_results_of(campaigns: list[Campaign]) -> dict[int, list[KpiResult]]:
    """Each campaign's KPIs with their figures, by campaign id (two queries whatever the number of campaigns)."""
    kpis = CampaignKpi.objects.filter(campaign__in=campaigns).select_related("metric", "owner")
    points = defaultdict(lambda: defaultdict(list))
    latest: dict[int, KpiMeasurement] = {}
    measurements = KpiMeasurement.objects.filter(kpi__campaign__in=campaigns).select_related(
        "reported_by__organization"
    )
    for measurement in measurements.order_by("period_end", "pk"):
        points[measurement.kpi_id][measurement.reported_by.organization.name].append(
            (measurement.period_end, measurement.value)
        )
        latest[measurement.kpi_id] = measurement
    by_id = {campaign.pk: campaign for campaign in campaigns}
    results = {campaign.pk: [] for campaign in campaigns}
    for kpi in kpis.order_by("metric__name", "pk"):
        campaign = by_id[kpi.campaign_id]
        last = latest.get(kpi.pk)
        actual = last.value if last else None
        series = KpiSeries(
            kpi.metric.name,
            kpi.metric.get_unit_display(),
            kpi.target,
            dict(points[kpi.pk]),
            campaign.kickoff_date,
            campaign.end_date or campaign.launch_date,
        )
        reporter = f"{last.reported_by.full_name} ({last.reported_by.organization.name})" if last else "—"
        results[campaign.pk].append(KpiResult(kpi, actual, reporter, progress_percent(kpi.target, actual), series))
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
