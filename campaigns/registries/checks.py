"""Registry of campaign health checks (issue: Celery flags).

The app that owns the data registers its checks here (meetings registers its
own, so campaigns never imports meetings). A check is one small set-based
query over all open campaigns: it gets the open campaigns as a queryset and
the current time, and returns findings, without a query per campaign.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

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
) -> Callable[[CheckFunction], CheckFunction]:
    """Register `find(open_campaigns, now)` under `code`; `fix` names the page where its findings are fixed (the
    campaign's home page when left out)."""

    def decorator(find: CheckFunction) -> CheckFunction:
        if code in checks and checks[code].find is not find:
            raise ValueError(f"Health check {code!r} is registered twice")
        checks[code] = HealthCheck(
            code=code, severity=severity, title=title, find=find, changes_only=changes_only, due=due, fix=fix
        )
        return find

    return decorator


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
