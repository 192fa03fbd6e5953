import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.models import Campaign, Flag
from campaigns.models.flags import severity_rank


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


def campaigns_with_open_flag(code: str) -> QuerySet:
    """Ids of campaigns with an open flag of `code` (a subquery)."""
    return Flag.objects.open().filter(code=code).values("campaign_id")
