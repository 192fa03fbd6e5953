"""The pages of `manage.py bench --pages`: every page kind timed for a company seeing a hundred campaigns
("small") and one seeing all the others ("hub"), each next to a floor: a plain view that reads the same kind of
rows with `values()` and answers them as JSON.

Two sets of pages: `PAGES`, the pages people work in (My work, a campaign's home, its first hour, a deliverable
with its thread, the meeting page that meetings registers, the two-factor and sign-on pages), each with a floor
written for it; and `every_list()`, found from the URL configuration at run time, so a list added later is timed
without anyone remembering to: every API list and every admin change list of a scoped model, each next to the
floor of its model (`values()` of a page of the rows its company sees, with the capped count).

`add_page_data` adds to the synthetic campaigns what only pages read: partner relationships (the hub is the
vendor of a thousand partners, the small company of its hundred), ten KPIs with twelve weeks of figures, a
thread of comments and both companies' budget lines on the campaign each user opens, and what other apps
register in `page_data` (meetings adds action items). It then works the scorecards out once, as the periodic
refresh would, and prints how long that took.
"""

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, path, resolve, reverse

from campaigns.demo.bench import PREFIX, World, analyze
from campaigns.models import (
    BudgetLine,
    Campaign,
    CampaignKpi,
    Comment,
    Deliverable,
    KickoffCompanyPart,
    KpiMeasurement,
    Member,
    Metric,
    PartnerScorecard,
    Party,
    ToolAccess,
)
from campaigns.models.kpis import Combination
from campaigns.services.health import health_sweep
from campaigns.services.scorecards import scorecards_refresh
from partners.models import Organization, PartnerRelationship, Person
from partners.scoping import organization_id_of
from utilities.paginator import COUNT_CAP
from utilities.startup import freeze_startup_objects

ROUNDS = 5  # a page's figure is the median of this many requests, after one to warm up
HUB_PARTNERS = 1000
KPIS, WEEKS = 10, 12
COMMENTS = 30  # on the first deliverable of the campaign each user opens
BUDGET_LINES = 6  # per company taking part in that campaign
PAGE_ROWS = 50
SLOW_MS = 150  # issue 24's bound for a page's median

# What other apps add for the pages (meetings adds action items): called with the world and today.
page_data: list[Callable[[World, datetime.date], None]] = []


def run(world: World, now: datetime.datetime, write: Callable[[str], None], rounds: int = ROUNDS) -> None:
    """Open the flags (one health sweep, not timed), add the pages' data, then time every page kind."""
    health_sweep(now=now)
    add_page_data(world, now, write)
    measure_pages(world, write, rounds)


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
        campaign = Campaign.objects.get(pk=campaign_id)
        _kpis_with_figures(campaign, now.date())
        _thread_and_budget(campaign)
    for add in page_data:
        add(world, now.date())
    started = time.perf_counter()
    stored = scorecards_refresh(now=now)
    write(f"Scorecards of {stored} partner relationships worked out in {time.perf_counter() - started:.1f} s.")
    analyze()


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


def _thread_and_budget(campaign: Campaign) -> None:
    """A thread on the campaign's first deliverable, written by both companies in turn, and each company's
    budget lines (half of them shared with the partners)."""
    companies = list(campaign.parties.order_by("role", "pk").values_list("organization_id", flat=True))
    authors = [Person.objects.filter(organization_id=company).order_by("pk").first() for company in companies]
    deliverable = Deliverable.objects.filter(campaign=campaign).order_by("pk").first()
    Comment.objects.bulk_create(
        Comment(
            campaign=campaign,
            target_kind="deliverable",
            target_id=deliverable.pk,
            organization_id=author.organization_id,
            author=author,
            only_my_company=n % 5 == 0,
            text=f"Comment {n} on the landing page copy: see the second paragraph.",
        )
        for n in range(COMMENTS)
        for author in [authors[n % len(authors)]]
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            campaign=campaign,
            organization_id=company,
            what=f"Line {n} of company {company}",
            currency="EUR",
            planned_amount=Decimal(1000 * (n + 1)),
            actual_amount=Decimal(900 * (n + 1)),
            is_shared=n % 2 == 0,
        )
        for company in companies
        for n in range(BUDGET_LINES)
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
    "first-hour": lambda user, campaign_id: {
        "campaign": Campaign.objects.for_user(user).filter(pk=campaign_id).values().first(),
        "team": list(Member.objects.filter(campaign_id=campaign_id).values()),
        "parts": list(KickoffCompanyPart.objects.filter(campaign_id=campaign_id).values()),
        "tools": list(ToolAccess.objects.filter(member__campaign_id=campaign_id).values()),
        "kpis": list(CampaignKpi.objects.filter(campaign_id=campaign_id).values("id", "metric__name", "target")),
    },
    "thread": lambda user, campaign_id: {
        "deliverable": Deliverable.objects.for_user(user)
        .filter(campaign_id=campaign_id)
        .order_by("pk")
        .values()
        .first(),
        "comments": list(
            Comment.objects.for_user(user)
            .filter(campaign_id=campaign_id, target_kind="deliverable")
            .values("id", "author__full_name", "text", "created_at", "only_my_company")
        ),
    },
    "person": lambda user, campaign_id: Person.objects.filter(user=user).values("id", "full_name", "email").first(),
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
    return JsonResponse(FLOORS[kind](request.user, campaign_id), safe=False, json_dumps_params={"default": str})


def rows_floor_view(request, label: str):
    """A list's floor: a page of the rows of its model the user's company sees, with the capped count."""
    model = apps.get_model(label)
    fields = [field.attname for field in model._meta.concrete_fields][:8]
    return JsonResponse(
        _capped_page(model.objects.for_user(request.user).order_by("-pk"), fields),
        json_dumps_params={"default": str},
    )


urlpatterns = [
    path("bench/floor/<str:kind>/<int:campaign_id>/", floor_view),
    path("bench/floor-rows/<str:label>/", rows_floor_view),
]


@dataclass(frozen=True)
class PageKind:
    label: str
    url: Callable[[int], str]  # campaign id -> the page's address
    floor: str  # a key of FLOORS, or a model's label for the floor of its rows


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
    PageKind(
        "campaign's first hour", lambda campaign: f"/admin/campaigns/campaign/{campaign}/first-hour/", "first-hour"
    ),
    PageKind(
        f"deliverable with a thread of {COMMENTS}",
        lambda campaign: f"/admin/campaigns/deliverable/{_first_deliverable(campaign)}/change/",
        "thread",
    ),
    PageKind("two-factor set-up", lambda campaign: "/admin/two-factor/set-up/", "person"),
    PageKind("sign in with your company", lambda campaign: "/sso/", "person"),
]  # meetings adds the meeting page (meetings/bench.py)


def _first_deliverable(campaign_id: int) -> int:
    return Deliverable.objects.filter(campaign_id=campaign_id).order_by("pk").values_list("pk", flat=True).first()


def every_list() -> list[PageKind]:
    """Every API list and every admin change list of a scoped model, found in the URL configuration in use."""
    lists = []
    names = sorted(name for name in get_resolver().reverse_dict if isinstance(name, str) and name.endswith("-list"))
    for name in names:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        queryset = getattr(getattr(resolve(url).func, "cls", None), "queryset", None)
        if queryset is not None and hasattr(queryset.model.objects, "for_user"):
            lists.append(PageKind(f"API {url}", lambda campaign, url=url: url, queryset.model._meta.label))
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        if hasattr(model.objects, "for_user"):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            lists.append(PageKind(f"admin {url}", lambda campaign, url=url: url, model._meta.label))
    return lists


class Refused(Exception):
    """A page that does not answer 200 to this user (an operator's list, say): reported, not timed."""


def _median_ms(client: Client, url: str, rounds: int) -> tuple[float, int]:
    """The median time of `rounds` requests after a warm-up one, and the queries of the last."""
    response = client.get(url)
    if response.status_code != 200:
        raise Refused(str(response.status_code))
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


def _floor_url(page: PageKind, campaign_id: int) -> str:
    if "." in page.floor:
        return f"/bench/floor-rows/{page.floor}/"
    return f"/bench/floor/{page.floor}/{campaign_id}/"


def measure_pages(world: World, write: Callable[[str], None], rounds: int = ROUNDS) -> None:
    freeze_startup_objects()  # as a web worker does once started (comarketing/wsgi.py)
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
    header = f"{'page':<52} {'small':>9} {'floor':>9} {'hub':>9} {'floor':>9} {'hub/small':>9} {'queries s/h':>12}"
    timed: list[tuple[str, float, float]] = []
    for title, pages in (("Pages people work in", PAGES), ("Every list (API and admin)", every_list())):
        write(f"{title}:")
        write(header)
        for page in pages:
            figures = {}
            for name, (_, campaign_id) in users.items():
                try:
                    ms, queries = _median_ms(clients[name], page.url(campaign_id), rounds)
                except Refused as refused:
                    figures[name] = refused
                    continue
                floor, _ = _median_ms(clients[name], _floor_url(page, campaign_id), rounds)
                figures[name] = (ms, floor, queries)
            write(_row(page.label, figures["small"], figures["hub"]))
            timed += [
                (page.label, *figures[name][:1], seen[name]) for name in users if isinstance(figures[name], tuple)
            ]
    slowest = sorted(timed, key=lambda row: -row[1])[:3]
    over = [row for row in timed if row[1] > SLOW_MS]
    write(
        f"{len(timed)} timings; over {SLOW_MS} ms: {len(over)}; slowest: "
        + ", ".join(f"{label} {ms:.0f} ms ({campaigns} visible)" for label, ms, campaigns in slowest)
    )


def _row(label: str, small, hub) -> str:
    def cells(figures) -> str:
        if isinstance(figures, Refused):
            return f"{'answers ' + str(figures):>19}"
        return f"{figures[0]:7.1f}ms {figures[1]:7.1f}ms"

    ratio = f"{hub[0] / small[0]:8.2f}x" if isinstance(small, tuple) and isinstance(hub, tuple) else f"{'':>9}"
    queries = "/".join(str(figures[2]) if isinstance(figures, tuple) else "-" for figures in (small, hub))
    return f"{label[:52]:<52} {cells(small)} {cells(hub)} {ratio} {queries:>12}"
