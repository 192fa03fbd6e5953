"""Health checks, reminder sources and digest lines over the foundation's own data (teams, deliverables, RACI).

Each check and each source is ONE set-based query over all open campaigns. Due moments are computed in the
recipient's own time zone: daily reminders at 09:00 local, the weekly digest on Monday 08:00 local.
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from functools import cache

from django.conf import settings
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Deliverable, Flag, Member, Party, RaciAssignment, Reminder, company_takes_part
from campaigns.outbox.digest_kpis import kpi_chart_images, kpi_summaries
from campaigns.registries import checks as health
from campaigns.registries import digest, due, reminder_sources
from campaigns.registries.reminder_sources import (
    DayLabel,
    LocalMoment,
    compose,
    day_label,
    due_rows,
    due_since_lookback,
    local_moment,
    lookback,
    site_link,
    subject_id,
)
from partners.models import Person
from utilities.bulk_rows import chunked, streamed

DIGEST_TIME = datetime.time(8, 0)
# A digest whose Monday moment was missed by more than this (the sweep was down) waits for next week.
DIGEST_LATE_LIMIT = datetime.timedelta(days=1)
ROLE_LABELS = {RaciAssignment.Role.RESPONSIBLE: "Responsible", RaciAssignment.Role.ACCOUNTABLE: "Accountable"}


# --- Health checks ---------------------------------------------------------------------------------------------

# Roles are named on the campaign's form (its team), a deliverable's owners on the deliverable's.
TEAM = health.campaign_page("admin:campaigns_campaign_change")
DELIVERABLE = health.change_page("admin:campaigns_deliverable_change")


def _parties_without(role_field: str, open_campaigns) -> QuerySet:
    """The findings of every party with nobody holding `role_field`."""
    # The members of the campaigns looked at, said twice (by campaign and as a set): correlated alone, PostgreSQL
    # probed each party's company's people, every one of a company of 5,000 (3.3 s for 1,000 changed campaigns at
    # 100,000; 0.1 s so).
    holder = Member.objects.filter(
        campaign__in=open_campaigns,
        campaign=OuterRef("campaign"),
        person__organization=OuterRef("organization"),
        **{role_field: True},
    )
    role = Member.ROLE_FIELDS[role_field].lower()
    return health.found_rows(
        Party.objects.filter(campaign__in=open_campaigns).filter(~Exists(holder)),
        "organization",
        "organization_id",
        F("organization__name"),
        f" has no {role} on the campaign team.",
    )


@health.health_check(
    "no_decision_maker", severity=health.CRITICAL, title="No decision maker", changes_only=True, fix=TEAM, selected=True
)
def no_decision_maker(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _parties_without("is_decision_maker", open_campaigns)


@health.health_check(
    "no_project_lead", severity=health.WARNING, title="No project lead", changes_only=True, fix=TEAM, selected=True
)
def no_project_lead(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _parties_without("is_project_lead", open_campaigns)


@health.health_check(
    "no_budget_owner", severity=health.WARNING, title="No budget owner", changes_only=True, fix=TEAM, selected=True
)
def no_budget_owner(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _parties_without("is_budget_owner", open_campaigns)


def _unfinished_deliverables(open_campaigns):
    return Deliverable.objects.filter(campaign__in=open_campaigns).exclude(status__in=Deliverable.DONE_STATUSES)


def _deliverables_missing(role: str, role_label: str, open_campaigns) -> QuerySet:
    has_role = RaciAssignment.objects.filter(deliverable=OuterRef("pk"), role=role)
    missing = _unfinished_deliverables(open_campaigns).filter(~Exists(has_role))
    return health.found_rows(missing, "deliverable", "pk", f"Nobody is {role_label} for “", F("title"), "”.")


@health.health_check(
    "deliverable_without_accountable",
    severity=health.WARNING,
    title="Deliverable without an Accountable",
    changes_only=True,
    fix=DELIVERABLE,
    selected=True,
)
def deliverable_without_accountable(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _deliverables_missing(RaciAssignment.Role.ACCOUNTABLE, "Accountable", open_campaigns)


@health.health_check(
    "deliverable_without_responsible",
    severity=health.WARNING,
    title="Deliverable without a Responsible",
    changes_only=True,
    fix=DELIVERABLE,
    selected=True,
)
def deliverable_without_responsible(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _deliverables_missing(RaciAssignment.Role.RESPONSIBLE, "Responsible", open_campaigns)


def _overdue_from(open_campaigns, now: datetime.datetime) -> QuerySet:
    """An unfinished deliverable is overdue from midnight UTC after its due date."""
    waiting = _unfinished_deliverables(open_campaigns).filter(due_date__gte=now.date())
    return due.due_moments(waiting, campaign="campaign_id", moment=due.utc_midnight("due_date", days=1))


@health.health_check(
    "deliverable_overdue",
    severity=health.WARNING,
    title="Deliverable overdue",
    due=_overdue_from,
    fix=DELIVERABLE,
    selected=True,
)
def deliverable_overdue(open_campaigns, now: datetime.datetime) -> QuerySet:
    overdue = _unfinished_deliverables(open_campaigns).filter(due_date__lt=now.date())
    detail = ("“", F("title"), "” was due on ", DayLabel("due_date"), " and is not done.")
    return health.found_rows(overdue, "deliverable", "pk", *detail)


# --- Reminders -------------------------------------------------------------------------------------------------


@cache
def _change_path_template(url_name: str) -> str:
    return reverse(url_name, args=[0]).replace("/0/", "/{pk}/")


def _change_link(url_name: str, pk: int) -> str:
    """The admin page of one object (reversed once per URL name: reversing per reminder dominated the sweep)."""
    return site_link(_change_path_template(url_name).format(pk=pk))


def _open_assignments(which: Q) -> QuerySet:
    """Responsible and Accountable assignments matching `which` on unfinished deliverables of open campaigns."""
    return RaciAssignment.objects.filter(
        which, role__in=list(ROLE_LABELS), deliverable__campaign__in=Campaign.objects.open()
    ).exclude(deliverable__status__in=Deliverable.DONE_STATUSES)


def _own_open_assignments(which: Q) -> QuerySet:
    """`_open_assignments` of people whose company still takes part in the campaign (a company that left keeps
    its assignments as history). The reminder sweep checks that for every source; a digest asks here."""
    takes_part = company_takes_part("deliverable__campaign_id", "member__person__organization_id")
    return _open_assignments(which).filter(takes_part)


def _deliverable_assignees(which: Q) -> dict[tuple[int, int], dict]:
    """(deliverable id, person id) -> the deliverable and the person's R/A roles, for unfinished deliverables of
    open campaigns their company takes part in and assignments matching `which`. One query."""
    rows = (
        _own_open_assignments(which)
        .values(
            "role",
            "deliverable_id",
            "deliverable__title",
            "deliverable__due_date",
            "deliverable__campaign_id",
            "deliverable__campaign__name",
            "member__person_id",
            "member__person__full_name",
            "member__person__time_zone",
        )
        .order_by("deliverable_id", "member__person_id", "role")
    )
    found: dict[tuple[int, int], dict] = {}
    for row in rows:
        entry = found.setdefault((row["deliverable_id"], row["member__person_id"]), {**row, "roles": []})
        entry["roles"].append(row["role"])
    for entry in found.values():
        entry["roles"] = [label for role, label in ROLE_LABELS.items() if role in entry["roles"]]
    return found


def _assignees_due(window: Q, due_at: LocalMoment, *conditions):
    """The Responsible and Accountable of the unfinished deliverables of open campaigns due in `window`, as due
    reminders at `due_at` (an expression of the deliverable's due date and the person's time zone) wherever
    `conditions` hold for it."""
    return due_rows(
        _open_assignments(window).alias(due_at=due_at).filter(*conditions),
        subject="deliverable",
        subject_id="deliverable_id",
        person="member__person_id",
        company="member__person__organization_id",
        due_at=F("due_at"),
        campaign="deliverable__campaign_id",
    )


def _deliverable_message(reminder, subject_line: str, sentence: str) -> reminder_sources.Message:
    deliverable = Deliverable.objects.select_related("campaign").get(pk=subject_id(reminder))
    if deliverable.status in (*Deliverable.DONE_STATUSES, Deliverable.Status.APPROVED):
        raise reminder_sources.NoLongerDue(f"The deliverable is {deliverable.get_status_display().lower()}.")
    held = set(
        RaciAssignment.objects.filter(deliverable=deliverable, member__person_id=reminder.person_id).values_list(
            "role", flat=True
        )
    )
    roles = " and ".join(label for role, label in ROLE_LABELS.items() if role in held)
    title, campaign, due_date = deliverable.title, deliverable.campaign.name, deliverable.due_date
    paragraphs = [sentence.format(title=title, due=day_label(due_date) if due_date else "")]
    if roles:
        paragraphs.append(f"You are its {roles} in the campaign “{campaign}”.")
    link = _change_link("admin:campaigns_deliverable_change", deliverable.pk)
    return reminder_sources.Message(
        subject_line.format(title=title, campaign=campaign, due=day_label(due_date) if due_date else ""),
        *compose(reminder.person.full_name, paragraphs, link),
    )


def _render_deliverable_due_soon(reminder) -> reminder_sources.Message:
    return _deliverable_message(reminder, "Due {due}: “{title}” ({campaign})", "“{title}” is due on {due}.")


def _assignees_due_at(open_campaigns, now: datetime.datetime, days: int) -> QuerySet:
    """When a reminder about each open assignment falls due: 09:00 in the person's zone, `days` after the due date
    (a source's due moments; the sweep keeps those still to come, and the index skips the dates long past)."""
    still_to_come = now.date() - datetime.timedelta(days=days + 1)
    assignments = _open_assignments(
        Q(deliverable__campaign__in=open_campaigns, deliverable__due_date__gte=still_to_come)
    )
    moment = LocalMoment("deliverable__due_date", "member__person__time_zone", days=days)
    return due.due_moments(assignments, campaign="deliverable__campaign_id", moment=moment)


def _due_soon_moments(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _assignees_due_at(open_campaigns, now, -settings.REMINDER_DELIVERABLE_DUE_SOON_DAYS)


def _overdue_moments(open_campaigns, now: datetime.datetime) -> QuerySet:
    return _assignees_due_at(open_campaigns, now, 1)


@reminder_sources.reminder_source(
    "deliverable_due_soon",
    label="Deliverable due soon",
    render=_render_deliverable_due_soon,
    due=_due_soon_moments,
)
def deliverable_due_soon(now: datetime.datetime) -> QuerySet:
    """To its Responsible and Accountable, at 09:00 their time, a few days before the due date, until it is due."""
    days_before = settings.REMINDER_DELIVERABLE_DUE_SOON_DAYS
    today = now.date()
    # Every time zone's "today" lies within a day of UTC's: the window lets the index narrow the rows first.
    window = Q(
        deliverable__due_date__range=(
            today - datetime.timedelta(days=1),
            today + datetime.timedelta(days=days_before + 1),
        )
    )
    zone = "member__person__time_zone"
    overdue_from = LocalMoment("deliverable__due_date", zone, days=1, at=datetime.time(0))
    return _assignees_due(
        window,
        LocalMoment("deliverable__due_date", zone, days=-days_before),
        *due_since_lookback(now),
        GreaterThan(overdue_from, now),
    )


def _render_deliverable_overdue(reminder) -> reminder_sources.Message:
    return _deliverable_message(
        reminder,
        "Overdue: “{title}” ({campaign})",
        "“{title}” was due on {due} and is not published yet. Update its status or its due date.",
    )


@reminder_sources.reminder_source(
    "deliverable_overdue", label="Deliverable overdue", render=_render_deliverable_overdue, due=_overdue_moments
)
def deliverable_overdue_reminders(now: datetime.datetime) -> QuerySet:
    """To its Responsible and Accountable, at 09:00 their time on the day after the due date."""
    today = now.date()
    window = Q(deliverable__due_date__range=(today - lookback() - datetime.timedelta(days=2), today))
    due_at = LocalMoment("deliverable__due_date", "member__person__time_zone", days=1)
    return _assignees_due(window, due_at, *due_since_lookback(now))


def _render_critical_flag(reminder) -> reminder_sources.Message:
    flag = Flag.objects.select_related("campaign").get(pk=subject_id(reminder))
    if not Flag.objects.needing_attention(timezone.localdate()).filter(pk=flag.pk).exists():
        raise reminder_sources.NoLongerDue("The flag was resolved, acknowledged or snoozed before it went out.")
    text, html = compose(
        reminder.person.full_name,
        [
            f"A critical risk was found on the campaign “{flag.campaign.name}”: {flag.title}.",
            flag.detail,
            "You receive this as a decision maker or project lead. Fix it, or acknowledge it with a reason.",
        ],
        _change_link("admin:campaigns_flag_change", flag.pk),  # where it is acknowledged, linked to its fix
    )
    return reminder_sources.Message(f"Critical: {flag.title} — {flag.campaign.name}", text, html)


# The health sweep marks a campaign changed for the reminder sweep when it opens a critical flag on it.
@reminder_sources.reminder_source(
    "critical_flag", label="New critical flag", render=_render_critical_flag, changes_only=True
)
def critical_flag(now: datetime.datetime) -> QuerySet:
    """To the decision makers and project leads of every party, as soon as a critical flag opens."""
    flags = (
        Flag.objects.open()
        .filter(
            severity=Flag.Severity.CRITICAL,
            acknowledged_at__isnull=True,
            opened_at__gte=now - lookback(),
            opened_at__lte=now,
            campaign__in=Campaign.objects.open(),
        )
        .filter(Q(campaign__members__is_decision_maker=True) | Q(campaign__members__is_project_lead=True))
    )
    return due_rows(
        flags,
        subject="flag",
        subject_id="pk",
        person="campaign__members__person_id",
        company="campaign__members__person__organization_id",
        due_at=F("opened_at"),
        campaign="campaign_id",
    )


@digest.digest_source
def deliverable_digest_lines(person_ids: list[int], now: datetime.datetime) -> list[digest.DigestLine]:
    """Unfinished deliverables each person is Responsible or Accountable for."""
    rows = _deliverable_assignees(Q(member__person_id__in=person_ids)).values()
    today = now.date()
    lines = []
    for row in rows:
        due_date = row["deliverable__due_date"]
        when = ""
        if due_date:
            when = f" — due {day_label(due_date)}" + (" (overdue)" if due_date < today else "")
        lines.append(
            digest.DigestLine(
                person_id=row["member__person_id"],
                campaign_id=row["deliverable__campaign_id"],
                text=f"Deliverable “{row['deliverable__title']}” ({' and '.join(row['roles'])}){when}",
                due=due_date,
            )
        )
    return lines


def digest_moment(now: datetime.datetime, time_zone: str) -> datetime.datetime:
    """This week's Monday 08:00 in `time_zone` (the last one at or before `now`)."""
    local_today = now.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    monday = local_today - datetime.timedelta(days=local_today.weekday())
    moment = local_moment(monday, DIGEST_TIME, time_zone)
    return moment if moment <= now else local_moment(monday - datetime.timedelta(days=7), DIGEST_TIME, time_zone)


def _digest_items(
    person_ids: list[int], now: datetime.datetime, *, responsible_for_none: bool = False
) -> dict[int, list[tuple[int | None, str]]]:
    """Each person's open items across campaigns (lines from every app), in campaign order then by due date, as
    (campaign id, or None for an item of no open campaign; the line). `responsible_for_none`: the people are known
    to hold no open assignment, so their deliverable lines are not looked for."""
    lines = defaultdict(list)
    for source in digest.sources:
        if responsible_for_none and source is deliverable_digest_lines:
            continue
        for line in source(person_ids, now):
            lines[line.person_id].append(line)
    campaign_ids = {line.campaign_id for found in lines.values() for line in found}
    campaign_names = dict(Campaign.objects.open().filter(pk__in=campaign_ids).values_list("pk", "name"))
    items = {}
    for person_id in person_ids:
        found = sorted(
            lines.get(person_id, []),
            key=lambda line: (campaign_names.get(line.campaign_id, ""), line.due or datetime.date.max, line.text),
        )
        if found:
            items[person_id] = [
                (line.campaign_id, f"{campaign_names[line.campaign_id]}: {line.text}")
                if line.campaign_id in campaign_names
                else (None, line.text)
                for line in found
            ]
    return items


def _render_weekly_digest(reminder) -> reminder_sources.Message:
    person = reminder.person
    found = _digest_items([person.pk], timezone.now()).get(person.pk, [])
    items = [text for _, text in found]
    week = reminder_sources.local_date(reminder.due_at, person.time_zone)
    text, html = compose(
        person.full_name,
        [f"Your open items across joint campaigns for the week of {day_label(week)}:"]
        if items
        else [f"Nothing is open for you in joint campaigns for the week of {day_label(week)}."],
        site_link(reverse("admin:index")),
        items,
    )
    campaigns = list(dict.fromkeys(campaign_id for campaign_id, _ in found if campaign_id is not None))
    kpis_text, kpis_html = kpi_summaries(campaigns)
    if kpis_text:
        text, html = f"{text}\n{kpis_text}\n", html + kpis_html
    count = f"{len(items)} open item" + ("" if len(items) == 1 else "s")
    return reminder_sources.Message(f"Your week in joint campaigns: {count}", text, html)


# People whose open items are looked up together (bounded memory, a few queries per batch).
DIGEST_BATCH = 1000


def _next_digests(open_campaigns, now: datetime.datetime) -> QuerySet:
    """Each campaign is looked at again at the next Monday 08:00 of each of its people (in their zones)."""
    members = Member.objects.filter(campaign__in=open_campaigns)
    zones = members.values_list("person__time_zone", flat=True).order_by().distinct()
    # Typed even with no zone at all (no member left, or a closed campaign handed over by an incremental run): a
    # bare NULL reaches PostgreSQL as text, and the sweep's "moment > now" would refuse to compare it.
    next_monday = Case(
        *(When(person__time_zone=zone, then=Value(_next_digest_moment(now, zone), DateTimeField())) for zone in zones),
        default=Cast(Value(None), DateTimeField()),
        output_field=DateTimeField(),
    )
    return due.due_moments(members, campaign="campaign_id", moment=next_monday)


def _next_digest_moment(now: datetime.datetime, time_zone: str) -> datetime.datetime:
    last = digest_moment(now, time_zone)
    return local_moment(
        last.astimezone(zoneinfo.ZoneInfo(time_zone)).date() + datetime.timedelta(days=7), DIGEST_TIME, time_zone
    )


@reminder_sources.reminder_source(
    "weekly_digest",
    label="Weekly digest",
    render=_render_weekly_digest,
    images=kpi_chart_images,
    due=_next_digests,
    takes_campaigns=True,
)
def weekly_digest(
    now: datetime.datetime, open_campaigns: QuerySet | None = None
) -> Iterator[reminder_sources.DueReminder]:
    """Each person with open items across campaigns, every Monday 08:00 their time (lines from every app); the
    people of `open_campaigns` only, when an incremental sweep names them."""
    # Weekly moments are 7 days apart and one is sent at most DIGEST_LATE_LIMIT late: a digest due in the last
    # six days is this week's, and the person is not looked at again.
    this_week = Reminder.objects.filter(
        kind="weekly_digest", person=OuterRef("pk"), due_at__gt=now - datetime.timedelta(days=6)
    )
    people = Person.objects.filter(
        campaign_memberships__campaign__in=Campaign.objects.open() if open_campaigns is None else open_campaigns
    ).exclude(Exists(this_week))
    # Whoever is Responsible or Accountable for something open has items: found for everyone at once (the
    # database joins the two sets), and only the others are asked every app's digest lines, a batch at a time.
    # Asked per batch of people, the first question read most of the assignments again for every batch: a
    # first run's cost grew with the square of the campaigns.
    responsible = Exists(_own_open_assignments(Q(member__person_id=OuterRef("pk"))))
    for has_items, found in ((True, people.filter(responsible)), (False, people.exclude(responsible))):
        rows = streamed(found.values_list("pk", "time_zone").order_by("pk").distinct())
        for batch in chunked(rows, DIGEST_BATCH):
            moments = {}
            for person_id, time_zone in batch:
                moment = digest_moment(now, time_zone)
                if now - moment <= DIGEST_LATE_LIMIT:
                    moments[person_id] = moment
            if not has_items and moments:
                with_lines = _digest_items(sorted(moments), now, responsible_for_none=True)
                moments = {person_id: moments[person_id] for person_id in with_lines}
            for person_id in sorted(moments):
                moment = moments[person_id]
                yield reminder_sources.DueReminder(
                    "weekly_digest", f"digest:{moment.date().isoformat()}", person_id, moment, None
                )
