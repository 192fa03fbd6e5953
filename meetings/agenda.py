"""The agenda that builds itself: what a meeting should look at, read from the campaign's own data.

Open action items of earlier meetings (carried forward until done), deliverables overdue or due before the
next meeting with their owners, pending sign-offs and legal reviews, KPIs behind pace, open flags raised since
the last meeting, decisions waiting; then the facilitator's own items (the meeting's agenda text). A fixed
number of queries, whatever the number of campaigns or rows.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from campaigns.models import CampaignKpi, Deliverable, Flag, RaciAssignment, SignoffRequest
from campaigns.pages.home import elapsed_percent
from campaigns.selectors.kpis import progress_percent, with_current_figure
from meetings.models import ActionItem, Decision, Meeting

ROWS = 30
NO_NEXT_MEETING = datetime.timedelta(days=7)


@dataclass(frozen=True)
class KpiBehind:
    kpi: CampaignKpi
    progress: object  # Decimal percent of the target
    elapsed: int


@dataclass
class Agenda:
    meeting: Meeting
    until: datetime.date  # the next meeting's day: deliverables due before it are on the agenda
    since: datetime.datetime | None  # the previous meeting's start: flags raised after it are new
    action_items: list[ActionItem] = field(default_factory=list)
    deliverables: list[Deliverable] = field(default_factory=list)
    signoffs: list[SignoffRequest] = field(default_factory=list)
    kpis_behind: list[KpiBehind] = field(default_factory=list)
    new_flags: list[Flag] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def free_items(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.meeting.agenda.splitlines() if line.strip(" -•\t")]

    @property
    def is_empty(self) -> bool:
        return not (
            self.action_items
            or self.deliverables
            or self.signoffs
            or self.kpis_behind
            or self.new_flags
            or self.decisions
            or self.free_items
        )


def meeting_agenda(meeting: Meeting, today: datetime.date | None = None) -> Agenda:
    today = today or timezone.localdate()
    campaign = meeting.series.campaign
    around = Meeting.objects.filter(series__campaign=campaign).exclude(status=Meeting.Status.CANCELLED)
    next_start = (
        around.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").values_list("starts_at", flat=True).first()
    )
    previous_start = (
        around.filter(starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    until = next_start.date() if next_start else meeting.starts_at.date() + NO_NEXT_MEETING
    agenda = Agenda(meeting=meeting, until=until, since=previous_start)

    agenda.action_items = list(
        ActionItem.objects.open()
        .filter(meeting__series__campaign=campaign, meeting__starts_at__lt=meeting.starts_at)
        .select_related("owner__person", "meeting")
        .order_by("due_date", "pk")[:ROWS]
    )
    owners = RaciAssignment.objects.filter(role__in=["R", "A"]).select_related("member__person").order_by("role", "pk")
    agenda.deliverables = list(
        Deliverable.objects.filter(campaign=campaign, due_date__lt=until)
        .exclude(status__in=Deliverable.DONE_STATUSES)
        .prefetch_related(Prefetch("raci", owners, to_attr="owners"))
        .order_by("due_date", "pk")[:ROWS]
    )
    agenda.signoffs = list(
        SignoffRequest.objects.filter(
            deliverable__campaign=campaign,
            status__in=[SignoffRequest.Status.PENDING, SignoffRequest.Status.CHANGES_REQUESTED],
        )
        .select_related("deliverable", "reviewer__organization")
        .order_by("due_date", "pk")[:ROWS]
    )
    elapsed = elapsed_percent(campaign, today)
    if elapsed is not None:
        for kpi in with_current_figure(CampaignKpi.objects.filter(campaign=campaign)).order_by("metric__name"):
            progress = progress_percent(kpi.target, kpi.figure)
            if kpi.target is not None and (progress or 0) < elapsed:
                agenda.kpis_behind.append(KpiBehind(kpi, progress, elapsed))
    flags = Flag.objects.open().filter(campaign=campaign)
    agenda.new_flags = list(
        (flags.filter(opened_at__gt=previous_start) if previous_start else flags).order_by("-opened_at")[:ROWS]
    )
    agenda.decisions = list(
        Decision.objects.pending()
        .filter(campaign=campaign)
        .select_related("decided_by__person__organization")
        .order_by("needed_by", "pk")[:ROWS]
    )
    return agenda
