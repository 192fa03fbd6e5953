"""Writes of the meetings app: series and their occurrences, the facilitator's log, calendar subscriptions."""

import datetime
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from campaigns.models import Campaign, Member
from meetings import recurrence
from meetings.decision_notices import decision_superseded_send, decision_withdrawn_send
from meetings.minutes import minutes_send
from meetings.models import ActionItem, Attendance, CalendarToken, Decision, Meeting, MeetingSeries
from meetings.models.calendar import hash_secret, new_secret
from partners.scoping import ensure_may
from partners.services import person_of
from utilities.validation import save_validated, validate_in_date_window

logger = logging.getLogger(__name__)


def _user_or_none(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


def _validate_attendees(series: MeetingSeries, members: Iterable[Member]) -> list[Member]:
    members = list(members)
    outsiders = series.invalid_attendees(members)
    if outsiders:
        names = ", ".join(member.person.full_name for member in outsiders)
        raise ValidationError({"default_attendees": f"Only this campaign's team can be invited; not on it: {names}."})
    return members


def _materialize_after_commit(series: MeetingSeries) -> None:
    # Runs in the request so new meetings show at once; the periodic task repairs anything a failure left out.
    transaction.on_commit(partial(series_materialize, series_id=series.pk), robust=True)


@transaction.atomic
def series_create(
    *, series: MeetingSeries, default_attendees: Iterable[Member] = (), user: Any = None
) -> MeetingSeries:
    """A new series; with no attendees named, the whole campaign team is invited."""
    series._history_user = _user_or_none(user)
    save_validated(series)
    attendees = _validate_attendees(series, default_attendees) or list(
        Member.objects.filter(campaign=series.campaign_id)
    )
    series.default_attendees.set(attendees)
    _materialize_after_commit(series)
    return series


@transaction.atomic
def series_update(
    *, series: MeetingSeries, default_attendees: Iterable[Member] | None = None, user: Any = None
) -> MeetingSeries:
    """Change a series; its future, unlogged meetings follow (see `series_materialize`)."""
    series._history_user = _user_or_none(user)
    save_validated(series)
    if default_attendees is not None:
        attendees = _validate_attendees(series, default_attendees)
        removed = set(series.default_attendees.values_list("pk", flat=True)) - {member.pk for member in attendees}
        series.default_attendees.set(attendees)
        # Uninvite from meetings still to come; recorded attendance is history and stays.
        Attendance.objects.filter(
            meeting__in=_upcoming_unlogged(series, timezone.now()),
            member_id__in=removed,
            status=Attendance.Status.EXPECTED,
        ).delete()
    _materialize_after_commit(series)
    return series


@transaction.atomic
def series_attendees_add(*, series: MeetingSeries, members: Iterable[Member]) -> None:
    """Invite more of the campaign's team (a company that joined it) to the series and to each of its meetings
    still to come, so they get its reminders and minutes and their attendance is recorded."""
    members = _validate_attendees(series, members)
    if members:
        series.default_attendees.add(*members)
        _invite_default_attendees(series, timezone.localdate(timezone.now(), series.zone))


@transaction.atomic
def series_end(*, series: MeetingSeries, last_date: datetime.date, user: Any = None) -> MeetingSeries:
    """End the series after `last_date` (local): later meetings stop; earlier ones, and every logged one, stay."""
    if last_date < series.first_date:
        raise ValidationError({"last_date": "A series cannot end before its first meeting."})
    validate_in_date_window(last_date, "last_date")
    end_of_day = datetime.datetime.combine(last_date, datetime.time(23, 59, 59), tzinfo=series.zone)
    series.recurrence = recurrence.with_until(series.parsed_recurrence.text, end_of_day)
    return series_update(series=series, user=user)


def _upcoming_unlogged(series: MeetingSeries, now: datetime.datetime):
    return series.meetings.filter(starts_at__gt=now, status=Meeting.Status.SCHEDULED)


@dataclass(frozen=True)
class MaterializeResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    cancelled: int = 0


def _has_content() -> Q:
    return (
        ~Q(agenda="")
        | ~Q(notes="")
        | Q(Exists(Decision.objects.filter(meeting=OuterRef("pk"))))
        | Q(Exists(ActionItem.objects.filter(meeting=OuterRef("pk"))))
    )


@transaction.atomic
def series_materialize(*, series_id: int, now: datetime.datetime | None = None) -> MaterializeResult:
    """Make the series' meetings exist, as rows, from now to the rolling window's end. Idempotent.

    A meeting is the occurrence of one local day. Days already past are never touched, nor are logged
    meetings. A brand-new series also gets its meetings since its first date (to log a recent one).
    Upcoming meetings follow the rule: a moved meeting keeps its time, a cancelled one stays cancelled;
    one the rule no longer has is deleted, or cancelled if it already has an agenda, notes or items.
    """
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update().filter(pk=series_id).first()
    if series is None:
        return MaterializeResult()
    try:
        series.parsed_recurrence  # noqa: B018  (parsing is the check: a rule stored before rules were bounded)
    except ValidationError as error:  # stored before the rules were bounded; the admin shows why on save
        logger.error("Series %s is not materialized: its rule is refused (%s)", series.pk, error.messages)
        return MaterializeResult()
    zone = series.zone
    existing = {meeting.occurrence_date: meeting for meeting in series.meetings.annotate(has_content=_has_content())}
    today = now.astimezone(zone).date()
    from_date = series.first_date if not existing else today + datetime.timedelta(days=1)
    window_end = now + datetime.timedelta(weeks=settings.MEETING_WINDOW_WEEKS)
    last_existing = max(existing, default=from_date)
    until = max(window_end.astimezone(zone), recurrence.local_start(last_existing, datetime.time.max, zone))
    start = recurrence.local_start(from_date, datetime.time.min, zone)
    instances, complete = _occurrences(series, start, until)
    # With the budget spent, days after the last one computed are left as they are until the next run.
    covered_until = until.date() if complete else max(instances, default=from_date)

    to_create, to_update, to_delete, to_cancel = [], [], [], []
    for day, local in instances.items():
        meeting = existing.get(day)
        if local > window_end and meeting is None:
            continue
        original = local.astimezone(datetime.UTC)
        if meeting is None:
            to_create.append(
                Meeting(
                    series=series,
                    occurrence_date=day,
                    original_start=original,
                    starts_at=original,
                    ends_at=original + series.duration,
                )
            )
        elif meeting.status != Meeting.Status.HELD:
            follows_series = meeting.status == Meeting.Status.SCHEDULED and not meeting.is_rescheduled
            new_times = (
                (original, original + series.duration) if follows_series else (meeting.starts_at, meeting.ends_at)
            )
            if (meeting.original_start, meeting.starts_at, meeting.ends_at) != (original, *new_times):
                meeting.original_start, (meeting.starts_at, meeting.ends_at) = original, new_times
                to_update.append(meeting)
    for day, meeting in existing.items():
        if not from_date <= day <= covered_until or day in instances or meeting.status != Meeting.Status.SCHEDULED:
            continue
        (to_cancel if meeting.has_content else to_delete).append(meeting)

    for meeting in to_cancel:
        meeting.status = Meeting.Status.CANCELLED
    changed = to_update + to_cancel
    for meeting in changed:
        meeting.save(update_fields=["original_start", "starts_at", "ends_at", "status"])
    Meeting.objects.filter(pk__in=[meeting.pk for meeting in to_delete]).delete()
    created = bulk_create_with_history(to_create, Meeting) if to_create else []
    _invite_default_attendees(series, from_date)
    return MaterializeResult(
        created=len(created), updated=len(to_update), deleted=len(to_delete), cancelled=len(to_cancel)
    )


def _occurrences(
    series: MeetingSeries, start: datetime.datetime, until: datetime.datetime
) -> tuple[dict[datetime.date, datetime.datetime], bool]:
    """The series' local starts from `start` to `until` by day, and whether all were computed within the budget
    (settings: occurrences and seconds per run). A run never computes more; the next run carries on."""
    deadline = time.monotonic() + settings.MEETING_MATERIALIZE_MAX_SECONDS
    found: dict[datetime.date, datetime.datetime] = {}
    for local in series.parsed_recurrence.rule.xafter(start, inc=True):
        if local > until:
            return found, True
        if len(found) >= settings.MEETING_MATERIALIZE_MAX_OCCURRENCES or time.monotonic() > deadline:
            logger.warning("Series %s: materialization budget spent after %s meetings", series.pk, len(found))
            return found, False
        found[local.date()] = local
    return found, True


def _invite_default_attendees(series: MeetingSeries, from_date: datetime.date) -> None:
    """Every scheduled meeting from `from_date` lists the series' default attendees (adding only who is missing)."""
    upcoming = list(
        series.meetings.filter(occurrence_date__gte=from_date, status=Meeting.Status.SCHEDULED).values_list(
            "pk", flat=True
        )
    )
    attendee_ids = list(series.default_attendees.values_list("pk", flat=True))
    if not upcoming or not attendee_ids:
        return
    listed = set(Attendance.objects.filter(meeting_id__in=upcoming).values_list("meeting_id", "member_id"))
    missing = [
        Attendance(meeting_id=meeting_id, member_id=member_id)
        for meeting_id in upcoming
        for member_id in attendee_ids
        if (meeting_id, member_id) not in listed
    ]
    bulk_create_with_history(missing, Attendance)


def _refuse_if_logged(meeting: Meeting, what: str) -> None:
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(f"This meeting is already logged as held; it cannot be {what}.")


@transaction.atomic
def meeting_reschedule(
    *, meeting: Meeting, starts_at: datetime.datetime, ends_at: datetime.datetime | None = None, user: Any = None
) -> Meeting:
    """Move one meeting; the move survives later changes of the series."""
    _refuse_if_logged(meeting, "moved")
    validate_in_date_window(starts_at, "starts_at")  # before adding the duration to it
    ends_at = ends_at or starts_at + (meeting.ends_at - meeting.starts_at)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.is_rescheduled = True
    meeting.status = Meeting.Status.SCHEDULED
    meeting._history_user = _user_or_none(user)
    return save_validated(meeting)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: Any = None) -> Meeting:
    _refuse_if_logged(meeting, "cancelled")
    meeting.status = Meeting.Status.CANCELLED
    meeting._history_user = _user_or_none(user)
    return save_validated(meeting)


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, user: Any = None, now: datetime.datetime | None = None) -> Meeting:
    """Saving the log of a meeting that has started records it as held (once; later saves are edits)."""
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("This meeting was cancelled; it cannot be logged as held.")
    if meeting.starts_at > now:
        raise ValidationError("This meeting has not started yet; log it once it has taken place.")
    unrecorded = meeting.attendance.filter(status=Attendance.Status.EXPECTED).select_related("member__person")
    if unrecorded:
        names = ", ".join(attendance.member.person.full_name for attendance in unrecorded)
        raise ValidationError(f"Record whether each person was present, absent or excused: {names}.")
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        meeting.logged_at = now
        meeting.logged_by = _user_or_none(user)
        meeting._history_user = meeting.logged_by
        save_validated(meeting)
        minutes_send(meeting_id=meeting.pk)
    return meeting


@transaction.atomic
def meeting_log(
    *,
    meeting: Meeting,
    attendance: dict[Member, str],
    agenda: str | None = None,
    notes: str | None = None,
    decisions: Iterable[Decision] = (),
    pending_made: Iterable[Decision] = (),
    action_items: Iterable[ActionItem] = (),
    user: Any = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """The facilitator's log in one write: agenda, notes, each member's attendance, new decisions (recorded as made
    or raised as pending), pending decisions made here (which closes them) and new action items; marks the meeting
    held. Everyone given an action item is sent the minutes, once, invited to the meeting or not."""
    meeting._history_user = _user_or_none(user)
    was_held = meeting.status == Meeting.Status.HELD
    if agenda is not None:
        meeting.agenda = agenda
    if notes is not None:
        meeting.notes = notes
    save_validated(meeting)
    listed = {row.member_id: row for row in meeting.attendance.all()}
    for member, status in attendance.items():
        row = listed.get(member.pk) or Attendance(meeting=meeting, member=member)
        row.status = status
        row._history_user = meeting._history_user
        save_validated(row)
    for decision in decisions:
        decision.meeting = meeting
        decision_record(decision=decision, user=user)
    for decision in pending_made:
        if _user_or_none(user) is not None:
            ensure_may(user, decision, "make")
        decision_make(decision=decision, user=user, meeting=meeting)
    items = list(action_items)
    for item in items:
        item.meeting = meeting
        item._history_user = meeting._history_user
        save_validated(item)
    meeting = meeting_mark_held(meeting=meeting, user=user, now=now)
    if was_held and items:
        minutes_send(meeting_id=meeting.pk)  # a later edit: only the new owners are sent them (once per person)
    return meeting


@transaction.atomic
def calendar_token_create(*, user: Any, campaign: Campaign | None = None) -> tuple[CalendarToken, str]:
    """A new feed address; returns the token and its secret, which is shown to the user only now."""
    secret = new_secret()
    token = CalendarToken(owner=user, campaign=campaign, secret_hash=hash_secret(secret), secret_hint=secret[-6:])
    return save_validated(token), secret


@transaction.atomic
def calendar_token_revoke(*, token: CalendarToken, user: Any = None) -> CalendarToken:
    """From now on the address answers 404 (revoking twice keeps the first moment)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._history_user = _user_or_none(user)
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def action_item_mark_done(*, item: ActionItem, user: Any = None) -> ActionItem:
    """Tick off an action item (from "My work" or the facilitator's page); done stays done."""
    if item.status == ActionItem.Status.DONE:
        return item
    item.status = ActionItem.Status.DONE
    item._history_user = _user_or_none(user)
    return save_validated(item)


def _refuse_unless_in_force(decision: Decision, what: str) -> None:
    """A superseded or withdrawn decision is history: nothing more is done to it."""
    if decision.status == Decision.Status.SUPERSEDED:
        successor = Decision.objects.filter(supersedes=decision).first()
        raise ValidationError(f"This decision was superseded by “{successor}”; it cannot be {what}.")
    if decision.status == Decision.Status.WITHDRAWN:
        raise ValidationError(f"This decision was withdrawn; it cannot be {what}.")


@transaction.atomic
def decision_record(*, decision: Decision, user: Any = None) -> Decision:
    """A new decision: raised as pending for a decision maker (any party may ask), or recorded as made, which is
    making it: only the company it binds (its decider's) does that (refused, naming it, for anyone else)."""
    decision._history_user = _user_or_none(user)
    save_validated(decision)
    if decision.status == Decision.Status.MADE and _user_or_none(user) is not None:
        ensure_may(user, decision, "make")
    return decision


@transaction.atomic
def decision_make(*, decision: Decision, user: Any = None, meeting: Meeting | None = None) -> Decision:
    """A pending decision is made (in `meeting`, or outside meetings); made stays made."""
    if decision.status == Decision.Status.MADE:
        return decision
    _refuse_unless_in_force(decision, "made")
    decision.status = Decision.Status.MADE
    decision.decided_at = timezone.now()
    decision.meeting = meeting or decision.meeting
    decision._history_user = _user_or_none(user)
    return save_validated(decision)


@transaction.atomic
def decision_supersede(
    *,
    decision: Decision,
    text: str,
    decided_by: Member | None = None,
    meeting: Meeting | None = None,
    user: Any = None,
) -> Decision:
    """A made decision is never edited: its company records a new one that supersedes it (the old one stays in the
    log, "superseded by" the new one). The new one is made now, by `decided_by` (the same decider unless said),
    who must be of the same company. Returns the new decision."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    _refuse_unless_in_force(decision, "superseded")
    if decision.status == Decision.Status.PENDING:
        raise ValidationError("This decision is still pending: amend it, or make it, rather than superseding it.")
    successor = decision_record(
        decision=Decision(
            campaign=decision.campaign,
            meeting=meeting,
            text=text,
            status=Decision.Status.MADE,
            decided_by=decided_by or decision.decided_by,
            supersedes=decision,
        ),
        user=user,
    )
    decision.status = Decision.Status.SUPERSEDED
    decision._history_user = _user_or_none(user)
    decision.save(update_fields=["status"])
    decision_superseded_send(decision, successor, person_of(user))
    return successor


@transaction.atomic
def decision_withdraw(*, decision: Decision, user: Any = None) -> Decision:
    """Its company takes a decision back (made or still pending): it stays in the log, withdrawn, with who and when;
    the campaign's leads are told. Withdrawing twice keeps the first."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status == Decision.Status.WITHDRAWN:
        return decision
    _refuse_unless_in_force(decision, "withdrawn")
    decision.status = Decision.Status.WITHDRAWN
    decision.withdrawn_at = timezone.now()
    decision.withdrawn_by = person_of(user)
    decision._history_user = _user_or_none(user)
    # Nothing else changes, so nothing to validate again (its decider may have stepped down since it was raised).
    decision.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
    decision_withdrawn_send(decision)
    return decision
