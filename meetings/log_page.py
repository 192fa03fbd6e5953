"""The meeting page: run a meeting and log it like notes, on one page and in one save.

The agenda on the left (stacked above on a phone); on the right who is there (toggles, everyone present until
switched off), the notes, the pending decisions made here (ticked), and new decisions and action items typed as
lines: an owner or decider by name (a list to type into), a due date or, left empty, the next meeting. Plain HTML
that works without a script; a small one only adds a blank line when the last is used. Saved through
`services.meeting_log`, with the meeting's version as the page showed it.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from campaigns.models import Member
from meetings import services
from meetings.agenda import meeting_agenda
from meetings.models import ActionItem, Attendance, Decision, Meeting
from meetings.selectors import meeting_log_prefetches
from partners.scoping import time_zone_of
from partners.scoping.versions import VersionConflict
from partners.services import person_of

MAX_LINES = 50  # lines of each kind one save takes: a meeting's worth, and a bound on what is parsed
BLANK_DECISIONS, BLANK_ITEMS = 3, 5  # blank lines offered (the script adds more as they fill)
TITLE_MAX = ActionItem._meta.get_field("title").max_length
DATE_CHARS = len("2026-12-31")


def member_label(member: Member) -> str:
    """How a person is typed and shown: "Jonas Weber (Bluefin Consulting)"."""
    return f"{member.person.full_name} ({member.person.organization.name})"


@dataclass
class Line:
    """One typed line of the form, as typed (shown again when something in it is refused)."""

    text: str = ""
    person: str = ""  # the decider or owner, as typed
    due: str = ""
    pending: bool = False
    error: str = ""


@dataclass
class LogPage:
    meeting: Meeting
    team: list[Member]
    attendance: list[Attendance]
    pending: list[Decision]  # of the campaign, waiting: tick the ones made here
    next_meeting: Meeting | None
    zone: ZoneInfo
    you: Member | None
    decision_lines: list[Line] = field(default_factory=list)
    item_lines: list[Line] = field(default_factory=list)
    present: set[int] = field(default_factory=set)  # member ids switched on
    made: set[int] = field(default_factory=set)  # pending decision ids ticked
    errors: list[str] = field(default_factory=list)

    @property
    def local_start(self) -> datetime.datetime:
        return self.meeting.starts_at.astimezone(self.zone)

    @property
    def next_day(self) -> datetime.date | None:
        return self.next_meeting.starts_at.astimezone(self.zone).date() if self.next_meeting else None

    def find(self, typed: str) -> Member | None:
        """The team member typed: by their label ("Jonas Weber (Bluefin Consulting)"), their full name, or the start
        of it ("Jonas"), when only one person on the team has it."""
        key = " ".join(typed.split()).casefold()
        if not key:
            return None
        for matches in (
            lambda member: member_label(member).casefold() == key,
            lambda member: member.person.full_name.casefold() == key,
            lambda member: member.person.full_name.casefold().startswith(key),
        ):
            found = [member for member in self.team if matches(member)]
            if found:
                return found[0] if len(found) == 1 else None
        return None


def log_page_of(meeting: Meeting, user) -> LogPage:
    """The page's rows for one meeting, in a fixed number of queries whatever the team or log size."""
    meeting = (
        Meeting.objects.select_related("series__campaign", "series__facilitator__person")
        .prefetch_related(*meeting_log_prefetches())
        .get(pk=meeting.pk)
    )
    campaign_id = meeting.series.campaign_id
    team = list(
        Member.objects.filter(campaign_id=campaign_id)
        .select_related("person__organization")
        .order_by("person__organization__name", "person__full_name")
    )
    attendance = list(meeting.attendance.all())
    started = meeting.starts_at <= timezone.now()
    present = {
        row.member_id
        for row in attendance
        if row.status == Attendance.Status.PRESENT or (started and row.status == Attendance.Status.EXPECTED)
    }
    pending = list(
        Decision.objects.pending()
        .filter(campaign_id=campaign_id)
        .select_related("decided_by__person__organization")
        .order_by("needed_by", "pk")
    )
    next_meeting = (
        Meeting.objects.filter(series=meeting.series, starts_at__gt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    person = person_of(user)
    you = next((member for member in team if person is not None and member.person_id == person.pk), None)
    zone = ZoneInfo(time_zone_of(user) or meeting.series.time_zone)
    page = LogPage(meeting, team, attendance, pending, next_meeting, zone, you, present=present)
    page.decision_lines = [Line(person=member_label(you) if you else "") for _ in range(BLANK_DECISIONS)]
    page.item_lines = [Line() for _ in range(BLANK_ITEMS)]
    return page


def _posted_lines(post, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The lines of a kind as posted (`<prefix>-<name>` lists of equal index), at most MAX_LINES, blank ones
    dropped."""
    columns = {name: post.getlist(f"{prefix}-{name}")[:MAX_LINES] for name in names}
    count = max((len(values) for values in columns.values()), default=0)
    lines = [{name: (values[i] if i < len(values) else "") for name, values in columns.items()} for i in range(count)]
    return [line for line in lines if any(value.strip() for key, value in line.items() if key in ("text", "title"))]


def _pick(page: LogPage, typed: str, what: str, line: Line) -> Member | None:
    member = page.find(typed)
    if member is None:
        line.error = (
            f"Choose the {what} from the campaign's team (type a name from the list; more than one person has "
            "that name? type the whole of it with the company)."
            if typed.strip()
            else f"Say who is the {what}."
        )
    return member


def _due(page: LogPage, typed: str, line: Line) -> datetime.date | None:
    """The typed due date; left empty, the next meeting's day."""
    typed = typed.strip()
    if not typed:
        if page.next_day is None:
            line.error = "Give a due date: the series has no next meeting."
        return page.next_day
    try:
        if len(typed) > DATE_CHARS:
            raise ValueError(typed)
        return datetime.date.fromisoformat(typed)
    except ValueError:
        line.error = "Give the due date as a date (or leave it empty for the next meeting)."
        return None


def read_post(page: LogPage, post) -> dict:
    """The log as posted: what `services.meeting_log` takes, or errors set on the page (and its lines)."""
    members = {member.pk: member for member in page.team}
    page.present = {int(v) for v in post.getlist("present")[: len(members) + 1] if v.isdigit() and int(v) in members}
    page.made = {int(v) for v in post.getlist("made")[:MAX_LINES] if v.isdigit()}
    attendance = {}
    for row in page.attendance:
        if row.member_id in page.present:
            attendance[row.member] = Attendance.Status.PRESENT
        elif row.status != Attendance.Status.EXCUSED:
            attendance[row.member] = Attendance.Status.ABSENT
    # A box the form did not send is left as it is; one it sent is kept as typed, shown again if anything is refused.
    texts = {name: post[name] for name in ("agenda", "notes") if name in post}
    for name, value in texts.items():
        if len(value) > settings.TEXT_MAX_LENGTH:
            page.errors.append(f"The {name} is longer than {settings.TEXT_MAX_LENGTH:,} characters.")
        setattr(page.meeting, name, value)

    decisions = []
    page.decision_lines = []
    pending_by_text = {decision.text.strip().casefold(): decision for decision in page.pending}
    for posted in _posted_lines(post, "decision", ("text", "person", "status")):
        line = Line(text=posted["text"], person=posted["person"], pending=posted["status"] == "pending")
        page.decision_lines.append(line)
        if len(line.text) > settings.TEXT_MAX_LENGTH:
            line.error = f"Write the decision in at most {settings.TEXT_MAX_LENGTH:,} characters."
            continue
        waiting = pending_by_text.get(line.text.strip().casefold())
        if waiting is not None and not line.pending:
            page.made.add(waiting.pk)  # typed again as decided: it is that pending decision, made now
            continue
        decider = _pick(page, line.person, "decider", line)
        if decider is not None:
            status = Decision.Status.PENDING if line.pending else Decision.Status.MADE
            decisions.append(Decision(text=line.text.strip(), decided_by=decider, status=status))

    items = []
    page.item_lines = []
    for posted in _posted_lines(post, "item", ("title", "person", "due")):
        line = Line(text=posted["title"], person=posted["person"], due=posted["due"])
        page.item_lines.append(line)
        if len(line.text) > TITLE_MAX:
            line.error = f"Write the action item in at most {TITLE_MAX} characters."
            continue
        owner = _pick(page, line.person, "owner", line)
        due = _due(page, line.due, line)
        if owner is not None and due is not None and not line.error:
            items.append(ActionItem(title=line.text.strip(), owner=owner, due_date=due))

    made = [decision for decision in page.pending if decision.pk in page.made]
    return {
        "attendance": attendance,
        "decisions": decisions,
        "pending_made": made,
        "action_items": items,
        **texts,
    }


def has_errors(page: LogPage) -> bool:
    return bool(page.errors) or any(line.error for line in [*page.decision_lines, *page.item_lines])


def save_log(page: LogPage, post, user) -> str | None:
    """Log the meeting from the posted page; None when refused (the reasons are on the page), else what was
    logged, in words."""
    values = read_post(page, post)
    if has_errors(page):
        return None
    version = post.get("version", "")
    page.meeting.expect_version(int(version) if version.isdigit() and len(version) < 10 else 0)
    try:
        services.meeting_log(meeting=page.meeting, user=user, **values)
    except (ValidationError, PermissionDenied, VersionConflict) as refused:
        page.errors.extend(getattr(refused, "messages", [str(refused)]))
        return None
    present = sum(1 for status in values["attendance"].values() if status == Attendance.Status.PRESENT)
    decided = len(values["decisions"]) + len(values["pending_made"])
    return (
        f"The meeting is logged: {present} of {len(values['attendance'])} present, {decided} decision(s), "
        f"{len(values['action_items'])} action item(s)."
    )


def page_context(page: LogPage) -> dict:
    return {
        "page": page,
        "agenda": meeting_agenda(page.meeting),
        "labels": [member_label(member) for member in page.team],
        "you_label": member_label(page.you) if page.you else "",
        "text_max": settings.TEXT_MAX_LENGTH,
        "title_max": TITLE_MAX,
        "today": timezone.localdate(),
    }
