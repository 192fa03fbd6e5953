"""Partner scorecards: how each partner of a vendor delivers, over the last 90 days and all time.

Every measure reads all of a user's relationships at once (one grouped query per measure), so the page and
the API run the same number of queries for 3 partners or 30. Other apps add measures through `measures`
(meetings adds the partner's attendance).

The vendor's flags on a partner (never co-ran a campaign, missed most reviews) are worked out from the same
figures rather than stored: they cost no query, follow the figures, and have no campaign to hang on (a campaign's
Flag is seen by every party of it, while these are the vendor's view of a partner).

Pages read the figures as last worked out (`PartnerScorecard`, kept by `campaigns.services.scorecards`):
working them out costs as much as the campaigns the companies share, too much for every request of a hub.
"""

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from campaigns.models import Campaign, CampaignKpi, Flag, PartnerScorecard, Party, RaciAssignment, SignoffRequest
from campaigns.registries.checks import CRITICAL
from campaigns.selectors.budget import partner_money
from campaigns.selectors.kpis import progress_percent, with_current_figure
from campaigns.selectors.results import first_done_dates
from partners.models import PartnerRelationship
from partners.scoping import organization_id_of

WINDOW = datetime.timedelta(days=90)
CHAMPION_SHARE = 0.6  # one person doing more than this share of a partner's R's is a dependency
CHAMPION_MINIMUM = 3  # …once there are at least this many

# A measure: (pairs of (vendor id, partner id) -> campaign ids they share) -> {pair: {column: value}}
Measure = Callable[[dict[tuple[int, int], set[int]]], dict[tuple[int, int], dict[str, Any]]]
measures: list[Measure] = []


RECENT, ALL_TIME = "last 90 days", "all time"


@dataclass(frozen=True)
class PartnerFlag:
    code: str
    label: str


@dataclass
class Window:
    name: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scorecard:
    relationship: PartnerRelationship
    windows: list[Window]
    flags: list[PartnerFlag]  # the vendor's only: empty for anybody else
    computed_at: datetime.datetime


def _shared_campaigns(relationships: list[PartnerRelationship], since: datetime.datetime | None):
    """(vendor, partner) -> ids of the campaigns both take part in (active since `since`, when given)."""
    partners = {r.partner_id for r in relationships}
    partners_parties = Party.objects.filter(organization_id__in=partners).order_by()
    # A vendor's campaigns only where one of the partners takes part too: a hub's refresh of one partner reads
    # that partner's campaigns, not the hub's hundred thousand.
    vendors_parties = Party.objects.filter(
        organization_id__in={r.vendor_id for r in relationships},
        campaign_id__in=partners_parties.values("campaign_id"),
    ).order_by()
    by_company = defaultdict(set)
    for parties in (partners_parties, vendors_parties):
        if since is not None:
            # Campaigns that ran in the window: begun in it, ended in it, or still open.
            parties = parties.filter(
                Q(campaign__created_at__gte=since)
                | Q(campaign__end_date__gte=since.date())
                | ~Q(campaign__status__in=Campaign.CLOSED_STATUSES)
            )
        for campaign_id, organization_id in parties.values_list("campaign_id", "organization_id"):
            by_company[organization_id].add(campaign_id)
    return {(r.vendor_id, r.partner_id): by_company[r.vendor_id] & by_company[r.partner_id] for r in relationships}


def campaigns_of(shared) -> QuerySet:
    """The campaigns a vendor and a partner of `shared` take part in, as a subquery (a superset when there are
    several pairs; each measure keeps a pair's own through `pairs_by_campaign`)."""
    partners_campaigns = Party.objects.filter(organization_id__in={partner for _, partner in shared})
    return Party.objects.filter(
        organization_id__in={vendor for vendor, _ in shared}, campaign_id__in=partners_campaigns.values("campaign_id")
    ).values("campaign_id")


def pairs_by_campaign(shared) -> dict[int, list[tuple[int, int]]]:
    """campaign id -> the pairs sharing it: each row a measure reads finds its pairs at once, so a measure's
    cost grows with its rows, not with rows times pairs."""
    pairs = defaultdict(list)
    for pair, campaigns in shared.items():
        for campaign_id in campaigns:
            pairs[campaign_id].append(pair)
    return pairs


def kpis_met(shared):
    met, total = Counter(), Counter()
    pairs = pairs_by_campaign(shared)
    kpis = CampaignKpi.objects.filter(campaign_id__in=campaigns_of(shared), target__isnull=False)
    for kpi in with_current_figure(kpis):
        progress = progress_percent(kpi.target, kpi.figure)
        for pair in pairs.get(kpi.campaign_id, ()):
            total[pair] += 1
            met[pair] += progress is not None and progress >= 100
    return {pair: {"kpis_met": met[pair], "kpis": total[pair]} for pair in shared}


def deliverables_on_time(shared):
    """Deliverables the partner was Responsible for, done by their due date (first approval or publication)."""
    responsible = RaciAssignment.objects.filter(
        role=RaciAssignment.Role.RESPONSIBLE, deliverable__campaign_id__in=campaigns_of(shared)
    )
    rows = responsible.values_list(
        "deliverable_id", "deliverable__campaign_id", "deliverable__due_date", "member__person__organization_id"
    )
    done = first_done_dates(responsible.values("deliverable_id"))
    on_time, finished = Counter(), Counter()
    pairs = pairs_by_campaign(shared)
    for deliverable_id, campaign_id, due, organization_id in rows:
        for vendor, partner in pairs.get(campaign_id, ()):
            if organization_id == partner and deliverable_id in done:
                finished[(vendor, partner)] += 1
                on_time[(vendor, partner)] += due is None or done[deliverable_id] <= due
    return {pair: {"deliverables_on_time": on_time[pair], "deliverables_done": finished[pair]} for pair in shared}


def signoff_turnaround(shared):
    """Median days the partner's reviewers took to decide."""
    days = defaultdict(list)
    decided = SignoffRequest.objects.filter(
        deliverable__campaign_id__in=campaigns_of(shared), decided_at__isnull=False
    ).values_list("deliverable__campaign_id", "reviewer__organization_id", "requested_at", "decided_at")
    pairs = pairs_by_campaign(shared)
    for campaign_id, organization_id, requested, decided_at in decided:
        for vendor, partner in pairs.get(campaign_id, ()):
            if organization_id == partner:
                days[(vendor, partner)].append((decided_at - requested).total_seconds() / 86400)
    return {
        pair: {"signoff_median_days": round(statistics.median(days[pair]), 1) if days[pair] else None}
        for pair in shared
    }


def open_critical_flags(shared):
    per_campaign = dict(
        Flag.objects.open()
        .filter(campaign_id__in=campaigns_of(shared), severity=CRITICAL)
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    return {
        pair: {"open_critical_flags": sum(per_campaign.get(c, 0) for c in campaigns)}
        for pair, campaigns in shared.items()
    }


def one_champion(shared):
    """The person doing most of a partner's R's, when that is more than CHAMPION_SHARE of them."""
    counts = defaultdict(Counter)
    rows = RaciAssignment.objects.filter(
        role=RaciAssignment.Role.RESPONSIBLE, deliverable__campaign_id__in=campaigns_of(shared)
    ).values_list("deliverable__campaign_id", "member__person__organization_id", "member__person__full_name")
    pairs = pairs_by_campaign(shared)
    for campaign_id, organization_id, name in rows:
        for vendor, partner in pairs.get(campaign_id, ()):
            if organization_id == partner:
                counts[(vendor, partner)][name] += 1
    found = {}
    for pair in shared:
        total = sum(counts[pair].values())
        top = counts[pair].most_common(1)
        champion = top[0][0] if top and total >= CHAMPION_MINIMUM and top[0][1] / total > CHAMPION_SHARE else None
        found[pair] = {"depends_on": champion}
    return found


measures.extend([kpis_met, deliverables_on_time, signoff_turnaround, open_critical_flags, one_champion, partner_money])


def partner_flags(recent: dict[str, Any], all_time: dict[str, Any]) -> list[PartnerFlag]:
    """What a vendor should look into about a partner (seed 001's symptoms), from its scorecard's figures."""
    flags = []
    if not all_time["campaigns"]:
        flags.append(PartnerFlag("never_co_ran", "Never co-ran a campaign with you"))
    attended, expected = recent.get("meetings_present", 0), recent.get("meetings_invited", 0)
    if expected and attended * 2 < expected:
        flags.append(PartnerFlag("missed_reviews", f"Missed most reviews: at {attended} of {expected} in the {RECENT}"))
    return flags


def _figures(relationships: list[PartnerRelationship], since: datetime.datetime | None) -> dict[tuple[int, int], dict]:
    shared = _shared_campaigns(relationships, since)
    figures = defaultdict(dict)
    for pair, campaigns in shared.items():
        figures[pair]["campaigns"] = len(campaigns)
    for measure in measures:
        for pair, columns in measure(shared).items():
            figures[pair].update(columns)
    return figures


def scorecard_figures(
    relationships: list[PartnerRelationship], now: datetime.datetime
) -> dict[tuple[int, int], tuple[dict, dict]]:
    """(vendor, partner) -> its figures over the last 90 days and over all time, worked out from scratch (it
    reads every row of the campaigns the pairs share: for the refresh, not for a page)."""
    recent, all_time = _figures(relationships, now - WINDOW), _figures(relationships, None)
    return {
        (r.vendor_id, r.partner_id): (recent[(r.vendor_id, r.partner_id)], all_time[(r.vendor_id, r.partner_id)])
        for r in relationships
    }


def scorecards(relationships: list[PartnerRelationship], user: Any) -> list[Scorecard]:
    """For each relationship, its scorecard over the last 90 days and over all time as last worked out, with the
    vendor's flags when `user` is of the vendor (or the operator). A relationship not worked out yet (the
    refresh it asked for has not run) is worked out here, once."""
    stored = {
        row.relationship_id: row
        for row in PartnerScorecard.objects.filter(relationship__in=[r.pk for r in relationships])
    }
    now = timezone.now()
    not_worked_out = [r for r in relationships if r.pk not in stored]
    missing = scorecard_figures(not_worked_out, now) if not_worked_out else {}
    viewer = organization_id_of(user)
    cards = []
    for relationship in relationships:
        row = stored.get(relationship.pk)
        if row is not None:
            recent, all_time, computed_at = row.recent, row.all_time, row.computed_at
        else:
            (recent, all_time), computed_at = missing[(relationship.vendor_id, relationship.partner_id)], now
        vendor_sees = user.is_superuser or viewer == relationship.vendor_id
        cards.append(
            Scorecard(
                relationship,
                [Window(RECENT, recent), Window(ALL_TIME, all_time)],
                partner_flags(recent, all_time) if vendor_sees else [],
                computed_at,
            )
        )
    return cards
