"""Registry of lines for the weekly digest (issue: Celery reminders).

A person's weekly digest lists their open items across campaigns. Each app
contributes lines for the data it owns (meetings: action items), so campaigns
never imports meetings. A source answers for many people in one query, and only
with campaigns the person's company takes part in (`company_takes_part` on the
person's company: a company that left keeps its rows as history).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DigestLine:
    person_id: int
    campaign_id: int | None
    text: str  # e.g. "Action item “Send speaker bios” — due Tue 1 Dec (overdue)"
    due: datetime.date | None = None


DigestSource = Callable[[list[int], datetime.datetime], Iterable[DigestLine]]
sources: list[DigestSource] = []


def digest_source(find: DigestSource) -> DigestSource:
    """Register `find(person_ids, now)`, returning the open items of those people."""
    if find not in sources:
        sources.append(find)
    return find
