"""People who left: what a deactivated person still holds on campaigns (listed to their company's administrators
through partners' registry), and a flag when a campaign's decision maker or project lead is deactivated."""

import datetime
from collections.abc import Iterator
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from campaigns.registries import checks as health
from campaigns.services.health import health_sweep
from partners.governance import Responsibility, deactivation_hook, responsibility_source
from partners.models import Person


@responsibility_source
def campaign_responsibilities(person: Person) -> list[Responsibility]:
    """On open campaigns: R or A on an unfinished deliverable, a decision maker's or project lead's role, and a
    company's point of contact."""
    held = []
    assignments = (
        RaciAssignment.objects.filter(
            member__person=person,
            role__in=(RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE),
            deliverable__campaign__in=_open_campaigns(),
        )
        .exclude(deliverable__status__in=Deliverable.DONE_STATUSES)
        .select_related("deliverable__campaign")
        .order_by("deliverable__campaign__name", "deliverable__title")
    )
    for assignment in assignments:
        deliverable = assignment.deliverable
        held.append(
            Responsibility(
                f"{assignment.get_role_display()} for “{deliverable.title}” ({deliverable.campaign})",
                reverse("admin:campaigns_deliverable_change", args=[deliverable.pk]),
            )
        )
    leads = (
        Member.objects.filter(person=person, campaign__in=_open_campaigns())
        .filter(Q(is_decision_maker=True) | Q(is_project_lead=True))
        .select_related("campaign")
        .order_by("campaign__name")
    )
    for member in leads:
        roles = " and ".join(
            word
            for word, holds in (("decision maker", member.is_decision_maker), ("project lead", member.is_project_lead))
            if holds
        )
        held.append(
            Responsibility(
                f"{roles.capitalize()} of {person.organization} on “{member.campaign}”",
                reverse("admin:campaigns_member_change", args=[member.pk]),
            )
        )
    for party in Party.objects.filter(point_of_contact=person, campaign__in=_open_campaigns()).select_related(
        "campaign"
    ):
        held.append(
            Responsibility(
                f"Point of contact of {person.organization} on “{party.campaign}”",
                reverse("admin:campaigns_party_change", args=[party.pk]),
            )
        )
    return held


def _open_campaigns():
    return Campaign.objects.open()


@health.health_check(
    "role_holder_deactivated",
    severity=health.CRITICAL,
    title="A decision maker or project lead left",
    changes_only=True,  # a person's change marks their campaigns (receivers.py), as their team's changes do
    fix=health.campaign_page("admin:campaigns_campaign_change"),
)
def role_holder_deactivated(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    """A campaign whose company's decision maker or project lead was deactivated: someone must take the role over."""
    holders = (
        Member.objects.filter(campaign__in=open_campaigns, person__is_active=False)
        .filter(Q(is_decision_maker=True) | Q(is_project_lead=True))
        .filter(campaign__parties__organization=F("person__organization"))  # its company still takes part
        .values_list("campaign_id", "person_id", "person__full_name", "person__organization__name", "is_decision_maker")
        .order_by("campaign_id", "person_id")
    )
    for campaign_id, person_id, name, company, decides in holders:
        role = "decision maker" if decides else "project lead"
        yield health.Finding(
            campaign_id=campaign_id,
            subject=f"person:{person_id}",
            detail=f"{name}, {company}'s {role}, was deactivated: name someone else for the role.",
        )


@deactivation_hook
def recheck_their_campaigns(person: Person) -> None:
    """The flag shows on the next page, not at the next sweep: the campaigns they lead are checked once this
    commits."""
    campaign_ids = sorted(
        Member.objects.filter(person=person, campaign__in=_open_campaigns())
        .filter(Q(is_decision_maker=True) | Q(is_project_lead=True))
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    if campaign_ids:
        transaction.on_commit(partial(health_sweep, campaign_ids=campaign_ids), robust=True)
