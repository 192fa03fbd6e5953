"""Builders and fixtures shared by the health, reminder, sweep and worker tests (issue 5)."""

import datetime

import pytest
from django.db.models import QuerySet

from campaigns.models import Campaign, Member, RaciAssignment, Reminder
from campaigns.registries import reminder_sources
from tests.campaigns.factories import DeliverableFactory, joint_campaign, member_of
from tests.partners.factories import OrganizationFactory, PersonFactory

ALL_ROLES = {"is_decision_maker": True, "is_project_lead": True, "is_budget_owner": True}
UTC = datetime.UTC


def healthy_campaign(*organizations, **fields) -> Campaign:
    """A campaign where each company names a decision maker, project lead and budget owner (one person each)."""
    organizations = organizations or (OrganizationFactory(), OrganizationFactory())
    campaign = joint_campaign(*organizations, status=fields.pop("status", Campaign.Status.PLANNING), **fields)
    for organization in organizations:
        member_of(campaign, organization, **ALL_ROLES)
    return campaign


def team_member(campaign: Campaign, *, time_zone: str = "UTC", **roles) -> Member:
    organization = campaign.parties.first().organization
    person = PersonFactory(organization=organization, time_zone=time_zone)
    return Member.objects.create(campaign=campaign, person=person, **roles)


def assigned_deliverable(campaign: Campaign, *, due_date: datetime.date, responsible=None, accountable=None, **fields):
    deliverable = DeliverableFactory(campaign=campaign, due_date=due_date, **fields)
    for member, role in ((responsible, "R"), (accountable, "A")):
        if member is not None:
            RaciAssignment.objects.create(deliverable=deliverable, member=member, role=role)
    return deliverable


def due_reminders(kind: str, now: datetime.datetime) -> list[reminder_sources.DueReminder]:
    """What one source finds due at `now`, whether it answers with bare keys or with a queryset of them."""
    found = reminder_sources.sources[kind].find(now)
    if isinstance(found, QuerySet):
        columns = reminder_sources.DUE_COLUMNS
        return [reminder_sources.DueReminder(kind, *(row[column] for column in columns)) for row in found]
    return list(found)


def written(due) -> reminder_sources.Message:
    """The e-mail of a due reminder (from a source, or a row of the outbox), as it is written when sent."""
    reminder = Reminder(kind=due.kind, subject=due.subject, person_id=due.person_id, due_at=due.due_at)
    return reminder_sources.sources[due.kind].render(reminder)


@pytest.fixture
def eager_celery():
    """Tasks run in the calling thread (on commit, when enqueued with on_commit)."""
    from comarketing.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def core_checks_only(monkeypatch):
    """Only this app's checks, reminder kinds and digest lines: other apps' registrations (kickoff, meetings)
    would add findings and reminders about data these tests do not build. Event notices' kinds stay, whichever
    app registers them: the sweep never finds them, and the services that write them ask for their kind."""
    from campaigns.checks import core as checks_core
    from campaigns.registries import checks as health
    from campaigns.registries import digest, reminder_sources

    def own(registry):
        return {key: entry for key, entry in registry.items() if entry.find.__module__ == checks_core.__name__}

    notices = {kind: source for kind, source in reminder_sources.sources.items() if source.render is None}
    monkeypatch.setattr(health, "checks", own(health.checks))
    monkeypatch.setattr(reminder_sources, "sources", {**own(reminder_sources.sources), **notices})
    monkeypatch.setattr(digest, "sources", [checks_core.deliverable_digest_lines])
