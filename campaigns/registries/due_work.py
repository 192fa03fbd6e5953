"""More of what is late or due for a company, for My work's "ours", contributed by other apps: meetings adds the
open action items of each company's people. A source is read once per page (one query, bounded), whatever the number
of campaigns."""

import datetime
from collections.abc import Callable
from typing import Any

# (user, organization_id, until, limit, ours) -> rows like campaigns.selectors.ours.DueWork: with `ours` the work of
# the company's own people, without it the work the company's campaigns wait for from the other companies.
DueWorkSource = Callable[[Any, int, datetime.date, int, bool], list]
due_work_sources: list[DueWorkSource] = []


def due_work_source(source: DueWorkSource) -> DueWorkSource:
    """Register `source(user, organization_id, until, limit, ours)` for My work's "Late or due for <company>"."""
    if source not in due_work_sources:
        due_work_sources.append(source)
    return source
