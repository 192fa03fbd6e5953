"""Registry of campaign health checks (issue: Celery flags).

The app that owns the data registers its checks here (meetings registers its
own, so campaigns never imports meetings). A check is one small set-based
query over all open campaigns: it gets the open campaigns as a queryset and
the current time, and returns findings, without a query per campaign. A check
whose findings SQL can word returns them as a queryset (`found_rows`), and the
sweep writes them without reading them into Python.
"""

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse

from campaigns.registries.reminder_sources import subject_of
from utilities.bulk_rows import streamed

CRITICAL = "critical"
WARNING = "warning"
INFO = "info"
SEVERITY_ORDER = {CRITICAL: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    campaign_id: int
    # What in the campaign the finding is about: "" for the campaign itself,
    # otherwise "<kind>:<id>" such as "organization:3" or "deliverable:12".
    subject: str = ""
    # One sentence a partner marketer understands.
    detail: str = ""


CheckFunction = Callable[[QuerySet, datetime.datetime], Iterable[Finding]]
# (open campaigns, now) -> the findings as SQL: a queryset made by `found_rows`, which the sweep writes into the
# flags in the database, without reading them into Python (a first run at 100,000 campaigns opens 1.5 million).
SelectFunction = Callable[[QuerySet, datetime.datetime], QuerySet]
FOUND_COLUMNS = ("found_campaign", "found_subject", "found_detail")
# (campaign id, the id in the finding's subject or None) -> the path of the page where the finding is fixed.
FixFunction = Callable[[int, int | None], str]
# (open campaigns, now) -> the moments after `now` at which time alone may change the findings (registries.due).
DueFunction = Callable[[QuerySet, datetime.datetime], QuerySet]


@dataclass(frozen=True)
class HealthCheck:
    code: str
    severity: str
    title: str
    find: CheckFunction
    # How an incremental sweep follows the check: `changes_only` when only a change to the campaign's rows can
    # change its findings, `due` when time can too (the moments it may); with neither, it looks at every open
    # campaign on every run.
    changes_only: bool = False
    due: DueFunction | None = None
    fix: FixFunction | None = None
    select: SelectFunction | None = None  # the same findings as `find`, as SQL (a check declared `selected`)

    @property
    def incremental(self) -> bool:
        return self.changes_only or self.due is not None


checks: dict[str, HealthCheck] = {}


def health_check(
    code: str,
    *,
    severity: str,
    title: str,
    changes_only: bool = False,
    due: DueFunction | None = None,
    fix: FixFunction | None = None,
    selected: bool = False,
) -> Callable[[Callable], CheckFunction]:
    """Register `find(open_campaigns, now)` under `code`; `fix` names the page where its findings are fixed (the
    campaign's home page when left out). `selected`: the function returns its findings as SQL (`found_rows`); it
    is registered, and stays callable, as a `find` reading them, and the sweep writes them in the database."""

    def decorator(function: Callable) -> CheckFunction:
        registered = checks.get(code)
        if registered is not None and (registered.select or registered.find) is not function:
            raise ValueError(f"Health check {code!r} is registered twice")
        find = _read(function) if selected else function
        checks[code] = HealthCheck(
            code=code,
            severity=severity,
            title=title,
            find=find,
            changes_only=changes_only,
            due=due,
            fix=fix,
            select=function if selected else None,
        )
        return find

    return decorator


def found_rows(queryset: QuerySet, kind: str, subject_id: str, *detail, campaign: str = "campaign_id") -> QuerySet:
    """A selected check's findings about the `kind` rows of `queryset` ("deliverable", their id field
    `subject_id`; "" for the campaign itself), each detail the concatenation of `detail` (texts, and expressions
    such as `F("title")` or `DayLabel`), in the order of the open flags' unique key, so each lands next to the last
    one in its index."""
    parts = [Value(part) if isinstance(part, str) else part for part in detail]
    return queryset.values(
        found_campaign=F(campaign),
        found_subject=subject_of(kind, subject_id) if kind else Value(""),
        found_detail=Concat(*parts, output_field=CharField()) if len(parts) > 1 else parts[0],
    ).order_by(*FOUND_COLUMNS[:2])


def _read(select: SelectFunction) -> CheckFunction:
    @functools.wraps(select)
    def find(open_campaigns: QuerySet, now: datetime.datetime) -> Iterator[Finding]:
        return (Finding(*row) for row in streamed(select(open_campaigns, now).values_list(*FOUND_COLUMNS)))

    return find


def where_to_fix(code: str, campaign_id: int, subject: str) -> str:
    """The path of the page where a flag of check `code` about `subject` is fixed."""
    check = checks.get(code)
    _, _, subject_id = subject.partition(":")
    if check is None or check.fix is None:
        return reverse("admin:campaigns_campaign_home", args=[campaign_id])
    return check.fix(campaign_id, int(subject_id) if subject_id.isdigit() else None)


def change_page(url_name: str) -> FixFunction:
    """A `fix` opening the change page of the finding's subject (admin URL name `url_name`), or the campaign's
    home page for a finding about the campaign itself."""

    def fix(campaign_id: int, subject_id: int | None) -> str:
        if subject_id is None:
            return reverse("admin:campaigns_campaign_home", args=[campaign_id])
        return reverse(url_name, args=[subject_id])

    return fix


def campaign_page(url_name: str, query: str = "") -> FixFunction:
    """A `fix` opening a page of the campaign (admin URL name `url_name`, with the campaign's id), or a list
    filtered by the campaign when `query` names the filter ("campaign__id__exact")."""

    def fix(campaign_id: int, subject_id: int | None) -> str:
        if query:
            return f"{reverse(url_name)}?{query}={campaign_id}"
        return reverse(url_name, args=[campaign_id])

    return fix
