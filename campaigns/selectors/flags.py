import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.models import Campaign, Flag
from campaigns.models.flags import severity_rank
from campaigns.registries.checks import SEVERITY_ORDER


def with_flag_columns(campaigns: QuerySet[Campaign], today: datetime.date) -> QuerySet[Campaign]:
    """Annotate each campaign with its count of flags needing attention and their worst severity rank
    (0 critical, 1 warning, 2 info, None when there is none), in the list's one query."""
    attention = Flag.objects.needing_attention(today).filter(campaign=OuterRef("pk"))
    return campaigns.annotate(
        open_flag_count=Coalesce(
            Subquery(attention.order_by().values("campaign").annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
        worst_flag_rank=Subquery(attention.annotate(rank=severity_rank()).order_by("rank").values("rank")[:1]),
    )


def worst_first_candidates(campaigns: QuerySet[Campaign], today: datetime.date, rows: int) -> QuerySet[Campaign]:
    """`campaigns` narrowed to those that can be among the first `rows` worst first (by worst flag needing
    attention, then launch date): for each severity, the first `rows` by launch date with a flag of it, then the
    first `rows` with none. Each campaign of the true first `rows` is among them (whatever precedes it in its
    severity's candidates precedes it worst first too). Each is read in launch-date order through an index and
    stops after `rows`, and a milder severity is read only while the worse ones leave room (a condition the
    database checks once): a hub seeing 100,000 campaigns reads a page's worth instead of ranking them all."""
    attention = Flag.objects.needing_attention(today).filter(campaign=OuterRef("pk"))
    by_launch = campaigns.order_by("launch_date", "pk").values("pk")
    branches, worse = [], []
    for severity in [*SEVERITY_ORDER, None]:  # None: campaigns with no flag needing attention
        branch = by_launch.filter(Exists(attention.filter(severity=severity)) if severity else ~Exists(attention))
        if worse:
            enough_worse = by_launch.filter(Exists(attention.filter(severity__in=worse)))[rows - 1 : rows]
            branch = branch.filter(~Exists(enough_worse))
        # Sliced inside IN, unordered: SQLite takes no LIMIT or ORDER BY on the members of a UNION.
        branches.append(Campaign.objects.filter(pk__in=branch[:rows]).order_by().values("pk"))
        worse.append(severity)
    return campaigns.filter(pk__in=branches[0].union(*branches[1:], all=True))


def campaigns_with_open_flag(code: str) -> QuerySet:
    """Ids of campaigns with an open flag of `code` (a subquery)."""
    return Flag.objects.open().filter(code=code).values("campaign_id")
