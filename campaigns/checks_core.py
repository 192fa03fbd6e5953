"""Health checks, reminder sources and digest lines over the foundation's own data (teams, deliverables, RACI).

Each check and each source is ONE set-based query over all open campaigns. Due moments are computed in the
recipient's own time zone: daily reminders at 09:00 local, the weekly digest on Monday 08:00 local.
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from campaigns import digest, health, reminder_sources
from campaigns.reminder_sources import (
    compose,
    day_label,
    due_soon_moment,
    local_moment,
    lookback,
    overdue_moment,
    site_link,
)
from campaigns.models import Campaign, Deliverable, Flag, Member, Party, RaciAssignment
from partners.models import Person

DIGEST_TIME = datetime.time(8, 0)
# A digest whose Monday moment was missed by more than this (the sweep was down) waits for next week.
DIGEST_LATE_LIMIT = datetime.timedelta(days=1)
ROLE_LABELS = {RaciAssignment.Role.RESPONSIBLE: "Responsible", RaciAssignment.Role.ACCOUNTABLE: "Accountable"}


# --- Health checks ---------------------------------------------------------------------------------------------


def _parties_without(role_field: str, open_campaigns) -> Iterable[tuple[int, int, str]]:
    """(campaign id, organization id, organization name) of every party with nobody holding `role_field`."""
    holder = Member.objects.filter(
        campaign=OuterRef("campaign"), person__organization=OuterRef("organization"), **{role_field: True}
    )
    return (
        Party.objects.filter(campaign__in=open_campaigns)
        .filter(~Exists(holder))
        .order_by("campaign_id", "organization__name")
        .values_list("campaign_id", "organization_id", "organization__name")
    )


def _party_findings(role_field: str, open_campaigns) -> list[health.Finding]:
    role = Member.ROLE_FIELDS[role_field].lower()
    return [
        health.Finding(campaign_id, f"organization:{organization_id}", f"{name} has no {role} on the campaign team.")
        for campaign_id, organization_id, name in _parties_without(role_field, open_campaigns)
    ]


@health.health_check("no_decision_maker", severity=health.CRITICAL, title="No decision maker")
def no_decision_maker(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    return _party_findings("is_decision_maker", open_campaigns)


@health.health_check("no_project_lead", severity=health.WARNING, title="No project lead")
def no_project_lead(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    return _party_findings("is_project_lead", open_campaigns)


@health.health_check("no_budget_owner", severity=health.WARNING, title="No budget owner")
def no_budget_owner(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    return _party_findings("is_budget_owner", open_campaigns)


def _unfinished_deliverables(open_campaigns):
    return Deliverable.objects.filter(campaign__in=open_campaigns).exclude(status__in=Deliverable.DONE_STATUSES)


def _deliverables_missing(role: str, open_campaigns) -> Iterable[tuple[int, int, str]]:
    has_role = RaciAssignment.objects.filter(deliverable=OuterRef("pk"), role=role)
    return (
        _unfinished_deliverables(open_campaigns)
        .filter(~Exists(has_role))
        .values_list("campaign_id", "pk", "title")
        .order_by("campaign_id", "pk")
    )


@health.health_check(
    "deliverable_without_accountable", severity=health.WARNING, title="Deliverable without an Accountable"
)
def deliverable_without_accountable(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    return [
        health.Finding(campaign_id, f"deliverable:{pk}", f"Nobody is Accountable for “{title}”.")
        for campaign_id, pk, title in _deliverables_missing(RaciAssignment.Role.ACCOUNTABLE, open_campaigns)
    ]


@health.health_check(
    "deliverable_without_responsible", severity=health.WARNING, title="Deliverable without a Responsible"
)
def deliverable_without_responsible(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    return [
        health.Finding(campaign_id, f"deliverable:{pk}", f"Nobody is Responsible for “{title}”.")
        for campaign_id, pk, title in _deliverables_missing(RaciAssignment.Role.RESPONSIBLE, open_campaigns)
    ]


@health.health_check("deliverable_overdue", severity=health.WARNING, title="Deliverable overdue")
def deliverable_overdue(open_campaigns, now: datetime.datetime) -> list[health.Finding]:
    rows = (
        _unfinished_deliverables(open_campaigns)
        .filter(due_date__lt=now.date())
        .values_list("campaign_id", "pk", "title", "due_date")
        .order_by("campaign_id", "pk")
    )
    return [
        health.Finding(campaign_id, f"deliverable:{pk}", f"“{title}” was due on {day_label(due_date)} and is not done.")
        for campaign_id, pk, title, due_date in rows
    ]


# --- Reminders -------------------------------------------------------------------------------------------------


@cache
def _change_path_template(url_name: str) -> str:
    return reverse(url_name, args=[0]).replace("/0/", "/{pk}/")


def _change_link(url_name: str, pk: int) -> str:
    """The admin page of one object (reversed once per URL name: reversing per reminder dominated the sweep)."""
    return site_link(_change_path_template(url_name).format(pk=pk))


def _deliverable_assignees(due_dates: Q) -> dict[tuple[int, int], dict]:
    """(deliverable id, person id) -> the deliverable and the person's R/A roles, for unfinished deliverables of
    open campaigns whose due date matches `due_dates`. One query."""
    rows = (
        RaciAssignment.objects.filter(
            due_dates,
            role__in=list(ROLE_LABELS),
            deliverable__campaign__in=Campaign.objects.open(),
        )
        .exclude(deliverable__status__in=Deliverable.DONE_STATUSES)
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


def _deliverable_reminder(kind: str, row: dict, due_at: datetime.datetime, subject_line: str, sentence: str):
    link = _change_link("admin:campaigns_deliverable_change", row["deliverable_id"])
    roles = " and ".join(row["roles"])
    text, html = compose(
        row["member__person__full_name"],
        [sentence, f"You are its {roles} in the campaign “{row['deliverable__campaign__name']}”."],
        link,
    )
    return reminder_sources.DueReminder(
        kind=kind,
        subject=f"deliverable:{row['deliverable_id']}",
        person_id=row["member__person_id"],
        due_at=due_at,
        campaign_id=row["deliverable__campaign_id"],
        subject_line=subject_line,
        body_text=text,
        body_html=html,
    )


@reminder_sources.reminder_source("deliverable_due_soon", label="Deliverable due soon")
def deliverable_due_soon(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """To its Responsible and Accountable, at 09:00 their time, a few days before the due date."""
    days_before = settings.REMINDER_DELIVERABLE_DUE_SOON_DAYS
    today = now.date()
    # Every time zone's "today" lies within a day of UTC's; the exact moment is checked per person below.
    window = Q(
        deliverable__due_date__range=(
            today - datetime.timedelta(days=1),
            today + datetime.timedelta(days=days_before + 1),
        )
    )
    due = []
    for row in _deliverable_assignees(window).values():
        due_date = row["deliverable__due_date"]
        due_at = due_soon_moment(due_date, days_before, row["member__person__time_zone"], now)
        if due_at is None:
            continue
        title = row["deliverable__title"]
        due.append(
            _deliverable_reminder(
                "deliverable_due_soon",
                row,
                due_at,
                f"Due {day_label(due_date)}: “{title}” ({row['deliverable__campaign__name']})",
                f"“{title}” is due on {day_label(due_date)}.",
            )
        )
    return due


@reminder_sources.reminder_source("deliverable_overdue", label="Deliverable overdue")
def deliverable_overdue_reminders(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """To its Responsible and Accountable, at 09:00 their time on the day after the due date."""
    today = now.date()
    window = Q(deliverable__due_date__range=(today - lookback() - datetime.timedelta(days=2), today))
    due = []
    for row in _deliverable_assignees(window).values():
        due_date = row["deliverable__due_date"]
        due_at = overdue_moment(due_date, row["member__person__time_zone"], now)
        if due_at is None:
            continue
        title = row["deliverable__title"]
        due.append(
            _deliverable_reminder(
                "deliverable_overdue",
                row,
                due_at,
                f"Overdue: “{title}” ({row['deliverable__campaign__name']})",
                f"“{title}” was due on {day_label(due_date)} and is not published yet. Update its status or its due date.",
            )
        )
    return due


@reminder_sources.reminder_source("critical_flag", label="New critical flag")
def critical_flag(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """To the decision makers and project leads of every party, as soon as a critical flag opens. Two queries."""
    since = now - lookback()
    flags = Flag.objects.open().filter(
        severity=Flag.Severity.CRITICAL,
        acknowledged_at__isnull=True,
        opened_at__gte=since,
        opened_at__lte=now,
        campaign__in=Campaign.objects.open(),
    )
    by_campaign = defaultdict(list)
    for flag in flags.select_related("campaign").order_by("pk"):
        by_campaign[flag.campaign_id].append(flag)
    leaders = Member.objects.filter(
        Q(is_decision_maker=True) | Q(is_project_lead=True), campaign__in=flags.values("campaign_id")
    ).values_list("campaign_id", "person_id", "person__full_name")
    due = []
    for campaign_id, person_id, full_name in leaders:
        for flag in by_campaign[campaign_id]:
            link = _change_link("admin:campaigns_campaign_change", campaign_id)
            text, html = compose(
                full_name,
                [
                    f"A critical risk was found on the campaign “{flag.campaign.name}”: {flag.title}.",
                    flag.detail,
                    "You receive this as a decision maker or project lead. Fix it, or acknowledge it with a reason.",
                ],
                link,
            )
            due.append(
                reminder_sources.DueReminder(
                    kind="critical_flag",
                    subject=f"flag:{flag.pk}",
                    person_id=person_id,
                    due_at=flag.opened_at,
                    campaign_id=campaign_id,
                    subject_line=f"Critical: {flag.title} — {flag.campaign.name}",
                    body_text=text,
                    body_html=html,
                )
            )
    return due


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


@reminder_sources.reminder_source("weekly_digest", label="Weekly digest")
def weekly_digest(now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """Each person's open items across campaigns, every Monday 08:00 their time (lines from every app)."""
    people = {}
    for person in (
        Person.objects.filter(campaign_memberships__campaign__in=Campaign.objects.open())
        .distinct()
        .values("pk", "full_name", "time_zone")
    ):
        moment = digest_moment(now, person["time_zone"])
        if now - moment <= DIGEST_LATE_LIMIT:
            people[person["pk"]] = (person, moment)
    if not people:
        return []
    lines = defaultdict(list)
    for source in digest.sources:
        for line in source(sorted(people), now):
            if line.person_id in people:
                lines[line.person_id].append(line)
    campaign_names = dict(Campaign.objects.open().values_list("pk", "name"))
    due = []
    for person_id, found in lines.items():
        person, moment = people[person_id]
        found.sort(
            key=lambda line: (campaign_names.get(line.campaign_id, ""), line.due or datetime.date.max, line.text)
        )
        items = [
            f"{campaign_names[line.campaign_id]}: {line.text}" if line.campaign_id in campaign_names else line.text
            for line in found
        ]
        text, html = compose(
            person["full_name"],
            [f"Your open items across joint campaigns for the week of {day_label(moment.date())}:"],
            site_link(reverse("admin:index")),
            items,
        )
        due.append(
            reminder_sources.DueReminder(
                kind="weekly_digest",
                subject=f"digest:{moment.date().isoformat()}",
                person_id=person_id,
                due_at=moment,
                campaign_id=None,
                subject_line=f"Your week in joint campaigns: {len(items)} open item(s)",
                body_text=text,
                body_html=html,
            )
        )
    return due
