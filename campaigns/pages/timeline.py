"""The campaign's timeline on its home page, drawn on the server as SVG: each deliverable as a bar from its
latest safe start to its due date (the review window at its end), the meetings, today and the event.

Other apps add dated marks through `timeline_marks` (meetings adds its meetings), one query each.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from campaigns.models import Campaign, Deliverable
from campaigns.pages.home import campaign_home
from campaigns.selectors.plans import DeliverablePlan, campaign_plan

LABEL_WIDTH, CHART_WIDTH, ROW_HEIGHT, HEADER = 190, 560, 20, 46
MAX_ROWS = 40
MOST_DATE_LABELS = 8  # along the axis: more would overlap at the chart's width


@dataclass(frozen=True)
class TimelineMark:
    day: datetime.date
    label: str


MarkSource = Callable[[Campaign], list[TimelineMark]]
mark_sources: list[MarkSource] = []


def timeline_marks(source: MarkSource) -> MarkSource:
    """Register `source(campaign) -> [TimelineMark]` (one query): marks drawn as ticks along the top."""
    mark_sources.append(source)
    return source


def timeline_marks_of(campaign: Campaign) -> list[TimelineMark]:
    return [mark for source in mark_sources for mark in source(campaign)]


@dataclass(frozen=True)
class TimelineRow:
    plan: DeliverablePlan
    y: int
    start_x: int
    review_x: int
    due_x: int
    state: str  # "done", "late" (can no longer be done in time, or overdue) or "ok"
    days_left: int  # business days from today to the due date, the owner company's public holidays skipped

    @property
    def work_width(self) -> int:
        return max(self.review_x - self.start_x, 2)

    @property
    def review_width(self) -> int:
        return self.due_x - self.review_x


@dataclass(frozen=True)
class Scale:
    first: datetime.date
    days: int

    def x(self, day: datetime.date) -> int:
        return LABEL_WIDTH + (day - self.first).days * CHART_WIDTH // self.days


def _axis_dates(scale: Scale) -> list[tuple[datetime.date, int]]:
    """Mondays along the axis, every week or every few weeks, so the bars can be read against dates."""
    weeks = max(1, -(-scale.days // (7 * MOST_DATE_LABELS)))
    monday = scale.first + datetime.timedelta(days=-scale.first.weekday() % 7)
    last = scale.first + datetime.timedelta(days=scale.days)
    days = []
    while monday <= last:
        days.append((monday, scale.x(monday)))
        monday += datetime.timedelta(weeks=weeks)
    return days


def _state(plan: DeliverablePlan, today: datetime.date) -> str:
    deliverable = plan.deliverable
    if deliverable.status in Deliverable.DONE_STATUSES:
        return "done"
    return "late" if plan.due < today or plan.cannot_be_done_in_time(today) else "ok"


@campaign_home.panel("Timeline", "campaigns/home/timeline.html", order=35)
def timeline(request, campaign):
    today = timezone.localdate()
    plans = campaign_plan(campaign.pk)[:MAX_ROWS]
    if not plans:
        return None
    days = [today, *(p.latest_safe_start for p in plans), *(p.due for p in plans)]
    days += [day for day in (campaign.kickoff_date, campaign.launch_date) if day]
    first, last = min(days), max(days)
    scale = Scale(first, max((last - first).days, 1))
    shown_marks = [(mark, scale.x(mark.day)) for mark in timeline_marks_of(campaign) if first <= mark.day <= last]
    rows = [
        TimelineRow(
            plan,
            HEADER + index * ROW_HEIGHT,
            scale.x(plan.latest_safe_start),
            scale.x(plan.review_start),
            scale.x(plan.due),
            _state(plan, today),
            plan.days_left(today),
        )
        for index, plan in enumerate(plans)
    ]
    height = HEADER + len(rows) * ROW_HEIGHT + 8
    return {
        "rows": rows,
        "marks": shown_marks,
        "axis": _axis_dates(scale),
        "today_x": scale.x(today),
        "event_x": scale.x(campaign.launch_date) if campaign.launch_date else None,
        "height": height,
        "width": LABEL_WIDTH + CHART_WIDTH + 10,
        "first": first,
        "last": last,
        "label_width": LABEL_WIDTH,
    }
