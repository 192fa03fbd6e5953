"""The pages of `manage.py bench --pages`: every page kind of issue 24 timed for a company seeing a hundred
campaigns ("small") and one seeing all the others ("hub"), each next to a floor: a plain view that reads the
same kind of rows with `values()` and answers them as JSON.

`add_page_data` adds to the synthetic campaigns what only pages read: partner relationships (the hub is the
vendor of a thousand partners, the small company of its hundred), ten KPIs with twelve weeks of figures on the
campaign each user opens, and what other apps register in `page_data` (meetings adds action items). It then
works the scorecards out once, as the periodic refresh would, and prints how long that took.
"""

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.http import JsonResponse
from django.test import Client
from django.urls import path

from campaigns.demo.bench import PREFIX, World
from campaigns.models import Campaign, CampaignKpi, KpiMeasurement, Metric, PartnerScorecard, Party
from campaigns.models.kpis import Combination
from campaigns.services.health import health_sweep
from campaigns.services.scorecards import scorecards_refresh
from partners.models import Organization, PartnerRelationship, Person
from partners.scoping import organization_id_of
from utilities.paginator import COUNT_CAP

ROUNDS = 5  # a page's figure is the median of this many requests, after one to warm up
HUB_PARTNERS = 1000
KPIS, WEEKS = 10, 12
PAGE_ROWS = 50

# What other apps add for the pages (meetings adds action items): called with the world and today.
page_data: list[Callable[[World, datetime.date], None]] = []


def run(world: World, now: datetime.datetime, write: Callable[[str], None]) -> None:
    """Open the flags (one health sweep, not timed), add the pages' data, then time every page kind."""
    health_sweep(now=now)
    add_page_data(world, now, write)
    measure_pages(world, write)


def add_page_data(world: World, now: datetime.datetime, write: Callable[[str], None]) -> None:
    hub = organization_id_of(world.large_user)
    small = organization_id_of(world.small_user)
    small_partners = sorted(
        set(
            Party.objects.filter(campaign__parties__organization_id=small)
            .exclude(organization_id=small)
            .values_list("organization_id", flat=True)
        )
    )
    hub_partners = list(
        Organization.objects.filter(name__startswith=f"{PREFIX} partner")
        .exclude(pk__in=small_partners)
        .order_by("pk")
        .values_list("pk", flat=True)[:HUB_PARTNERS]
    )
    PartnerRelationship.objects.bulk_create(
        [
            PartnerRelationship(vendor_id=hub, partner_id=partner, tier=1 + n % 3)
            for n, partner in enumerate(hub_partners)
        ]
        + [PartnerRelationship(vendor_id=small, partner_id=partner, tier=1) for partner in small_partners]
        + [PartnerRelationship(vendor_id=small, partner_id=hub, tier=2)]
    )
    for campaign_id in (world.small_campaign_id, world.large_campaign_id):
        _kpis_with_figures(Campaign.objects.get(pk=campaign_id), now.date())
    for add in page_data:
        add(world, now.date())
    started = time.perf_counter()
    stored = scorecards_refresh(now=now)
    write(f"Scorecards of {stored} partner relationships worked out in {time.perf_counter() - started:.1f} s.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _kpis_with_figures(campaign: Campaign, today: datetime.date) -> None:
    host = campaign.parties.get(role=Party.Role.HOST).organization_id
    reporter = Person.objects.filter(organization_id=host).order_by("pk").first()
    kpis = CampaignKpi.objects.bulk_create(
        CampaignKpi(
            campaign=campaign,
            metric=metric,
            target=Decimal(100 * (n + 1)),
            owner_id=host,
            combination=Combination.OWNER if metric.unit == Metric.Unit.PERCENT else Combination.SUM,
        )
        for n, metric in enumerate(Metric.objects.filter(campaign=None).order_by("pk")[:KPIS])
    )
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            campaign=campaign,
            kpi=kpi,
            organization_id=host,
            period_start=end - datetime.timedelta(days=6),
            period_end=end,
            value=Decimal(10 * (n + 1) * (week + 1)),
            reported_by=reporter,
        )
        for n, kpi in enumerate(kpis)
        for week in range(WEEKS)
        for end in [today - datetime.timedelta(weeks=WEEKS - 1 - week)]
    )


# --- floors: the rows of each page kind, by hand ----------------------------------------------------------------


def _capped_page(queryset, fields: list[str], rows: int = PAGE_ROWS) -> dict:
    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return {"count": min(counted, COUNT_CAP), "results": list(queryset.values(*fields)[:rows])}


def _model(label: str):
    return apps.get_model(label)  # by label: campaigns knows nothing of meetings


FLOORS: dict[str, Callable] = {
    "my-work": lambda user, campaign_id: {
        "campaigns": list(
            Campaign.objects.for_user(user).open().order_by("launch_date", "pk").values("id", "name", "status")[:21]
        ),
        "scorecards": list(
            PartnerScorecard.objects.filter(relationship__in=PartnerRelationship.objects.for_user(user)).values(
                "relationship_id", "recent", "all_time", "computed_at"
            )[:21]
        ),
    },
    "scorecards": lambda user, campaign_id: _capped_page(
        PartnerRelationship.objects.for_user(user),
        ["id", "vendor__name", "partner__name", "tier", "scorecard__recent", "scorecard__all_time"],
    ),
    "flags": lambda user, campaign_id: _capped_page(
        _model("campaigns.Flag").objects.for_user(user),
        ["id", "campaign_id", "code", "severity", "title", "opened_at", "resolved_at"],
    ),
    "deliverables": lambda user, campaign_id: _capped_page(
        _model("campaigns.Deliverable").objects.for_user(user), ["id", "campaign_id", "title", "due_date", "status"]
    ),
    "action-items": lambda user, campaign_id: _capped_page(
        _model("meetings.ActionItem").objects.for_user(user), ["id", "meeting_id", "title", "due_date", "status"]
    ),
    "meetings": lambda user, campaign_id: _capped_page(
        _model("meetings.Meeting").objects.for_user(user), ["id", "series_id", "starts_at", "ends_at", "status"]
    ),
    "change-list": lambda user, campaign_id: _capped_page(
        Campaign.objects.for_user(user), ["id", "name", "status", "launch_date"], rows=100
    ),
    "home": lambda user, campaign_id: {
        "campaign": Campaign.objects.for_user(user).filter(pk=campaign_id).values().first(),
        "kpis": list(CampaignKpi.objects.filter(campaign_id=campaign_id).values("id", "metric__name", "target")),
        "figures": list(KpiMeasurement.objects.filter(campaign_id=campaign_id).values("kpi_id", "period_end", "value")),
    },
}


def floor_view(request, kind: str, campaign_id: int):
    return JsonResponse(FLOORS[kind](request.user, campaign_id), safe=False)


urlpatterns = [path("bench/floor/<str:kind>/<int:campaign_id>/", floor_view)]


@dataclass(frozen=True)
class PageKind:
    label: str
    url: Callable[[int], str]  # campaign id -> the page's address
    floor: str


PAGES = [
    PageKind("My work", lambda campaign: "/admin/", "my-work"),
    PageKind("partner scorecards (API)", lambda campaign: "/api/partner-scorecards/", "scorecards"),
    PageKind("API flags list", lambda campaign: "/api/flags/", "flags"),
    PageKind("API deliverables list", lambda campaign: "/api/deliverables/", "deliverables"),
    PageKind("API action items list", lambda campaign: "/api/action-items/", "action-items"),
    PageKind("API meetings list", lambda campaign: "/api/meetings/", "meetings"),
    PageKind("campaign change list", lambda campaign: "/admin/campaigns/campaign/", "change-list"),
    PageKind(
        f"campaign home ({KPIS} KPIs x {WEEKS} weeks)",
        lambda campaign: f"/admin/campaigns/campaign/{campaign}/home/",
        "home",
    ),
    PageKind("campaign change page", lambda campaign: f"/admin/campaigns/campaign/{campaign}/change/", "home"),
]


def _median_ms(client: Client, url: str, rounds: int) -> tuple[float, int]:
    """The median time of `rounds` requests after a warm-up one, and the queries of the last."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    samples, queries = [], 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    for _ in range(rounds):
        queries = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), queries


def measure_pages(world: World, write: Callable[[str], None], rounds: int = ROUNDS) -> None:
    users = {"small": (world.small_user, world.small_campaign_id), "hub": (world.large_user, world.large_campaign_id)}
    clients = {}
    for name, (user, _) in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    seen = {name: Campaign.objects.for_user(user).count() for name, (user, _) in users.items()}
    write(
        f"Pages, median of {rounds} requests (small sees {seen['small']} campaigns, hub {seen['hub']}); "
        "floor: values() + JSON of the same rows"
    )
    write(f"{'page':<36} {'small':>9} {'floor':>9} {'hub':>9} {'floor':>9} {'hub/small':>9} {'queries s/h':>12}")
    for page in PAGES:
        figures = {}
        for name, (_, campaign_id) in users.items():
            ms, queries = _median_ms(clients[name], page.url(campaign_id), rounds)
            floor, _ = _median_ms(clients[name], f"/bench/floor/{page.floor}/{campaign_id}/", rounds)
            figures[name] = (ms, floor, queries)
        (small_ms, small_floor, small_q), (hub_ms, hub_floor, hub_q) = figures["small"], figures["hub"]
        write(
            f"{page.label:<36} {small_ms:7.1f}ms {small_floor:7.1f}ms {hub_ms:7.1f}ms {hub_floor:7.1f}ms "
            f"{hub_ms / small_ms:8.2f}x {small_q:>5}/{hub_q:<5}"
        )
