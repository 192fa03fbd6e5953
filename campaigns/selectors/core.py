from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from campaigns.models import Campaign, Deliverable, Invitation, Member, Party, RaciAssignment
from partners.scoping import SEEN, SEEN_BY


def _seen_through_parties(rows: QuerySet, seen: str, organization_ids, seen_ids) -> QuerySet:
    """(company, `seen`) pairs: `rows` joined to the current parties of their campaign, the companies that see them,
    in one filter so that the narrowing conditions apply to that same join."""
    conditions = {"campaign__parties__left_at__isnull": True}
    if organization_ids is not None:
        conditions["campaign__parties__organization_id__in"] = organization_ids
    if seen_ids is not None:
        conditions[f"{seen}__in"] = seen_ids
    return rows.filter(**conditions).values(**{SEEN_BY: F("campaign__parties__organization_id"), SEEN: F(seen)})


def partner_companies_seen(organization_ids=None, company_ids=None) -> QuerySet:
    """The companies taking part in a campaign, seen by each other."""
    return _seen_through_parties(Party.objects.all(), "organization_id", organization_ids, company_ids)


def partner_members_seen(organization_ids=None, person_ids=None) -> QuerySet:
    """People on the team of a campaign, seen by each company taking part in it."""
    return _seen_through_parties(Member.objects.all(), "person_id", organization_ids, person_ids)


def partner_contacts_seen(organization_ids=None, person_ids=None) -> QuerySet:
    """Points of contact of a campaign's parties, seen by each company taking part in it."""
    contacts = Party.objects.filter(point_of_contact__isnull=False)
    return _seen_through_parties(contacts, "point_of_contact_id", organization_ids, person_ids)


# Lists show a few fields of many rows: loading the companies' profiles with them was most of a list's time.
def parties_prefetch() -> Prefetch:
    return Prefetch(
        "parties",
        Party.objects.select_related("organization", "point_of_contact").only(
            "campaign_id", "role", "organization__name", "point_of_contact__full_name"
        ),
    )


def members_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        Member.objects.select_related("person__organization").only(
            "campaign_id", *Member.ROLE_FIELDS, "person__full_name", "person__organization__name"
        ),
    )


def invitations_with_host(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Each invitation with its campaign's host name (an invited company cannot read the campaign's parties)."""
    host = Party.objects.filter(campaign=OuterRef("campaign_id"), role=Party.Role.HOST)
    return invitations.annotate(host_name=Subquery(host.values("organization__name")[:1]))


def campaign_list(*, user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.for_user(user).prefetch_related(parties_prefetch(), members_prefetch())


def _accountable_name() -> Subquery:
    return Subquery(
        RaciAssignment.objects.filter(deliverable=OuterRef("pk"), role=RaciAssignment.Role.ACCOUNTABLE).values(
            "member__person__full_name"
        )[:1]
    )


def with_list_columns(deliverables: QuerySet[Deliverable]) -> QuerySet[Deliverable]:
    """What a deliverable list shows, fetched with the rows (no query per row)."""
    return deliverables.select_related("campaign", "channel_party__organization").annotate(
        accountable_name=_accountable_name()
    )


def deliverable_list(*, user: Any) -> QuerySet[Deliverable]:
    return with_list_columns(Deliverable.objects.for_user(user))


@dataclass
class RaciRow:
    deliverable: Deliverable
    cells: list[str]
    gaps: list[str]


@dataclass
class RaciMatrix:
    """Deliverables × team members; each cell holds the letters that member has on that deliverable."""

    campaign: Campaign
    members: list[Member]
    rows: list[RaciRow] = field(default_factory=list)

    @property
    def unassigned_members(self) -> list[Member]:
        busy = {index for row in self.rows for index, cell in enumerate(row.cells) if cell}
        return [member for index, member in enumerate(self.members) if index not in busy]

    def as_dict(self) -> dict:
        return {
            "campaign": self.campaign.pk,
            "members": [
                {
                    "id": member.pk,
                    "person": member.person.full_name,
                    "organization": member.person.organization.name,
                    "roles": member.roles,
                }
                for member in self.members
            ],
            "rows": [
                {
                    "deliverable": row.deliverable.pk,
                    "title": row.deliverable.title,
                    "status": row.deliverable.status,
                    "due_date": row.deliverable.due_date,
                    "cells": row.cells,
                    "gaps": row.gaps,
                }
                for row in self.rows
            ],
            "unassigned_members": [member.pk for member in self.unassigned_members],
        }


def raci_matrix(*, campaign: Campaign) -> RaciMatrix:
    """Three queries whatever the campaign's size: members, deliverables, assignments."""
    members = list(Member.objects.filter(campaign=campaign).select_related("person__organization"))
    column_of = {member.pk: index for index, member in enumerate(members)}
    deliverables = list(Deliverable.objects.filter(campaign=campaign))
    letters: dict[tuple[int, int], list[str]] = {}
    roles_by_deliverable: dict[int, set[str]] = {}
    for deliverable_id, member_id, role in RaciAssignment.objects.filter(deliverable__campaign=campaign).values_list(
        "deliverable_id", "member_id", "role"
    ):
        letters.setdefault((deliverable_id, member_id), []).append(role)
        roles_by_deliverable.setdefault(deliverable_id, set()).add(role)
    order = "RACI"
    matrix = RaciMatrix(campaign=campaign, members=members)
    for deliverable in deliverables:
        cells = [""] * len(members)
        for member in members:
            found = letters.get((deliverable.pk, member.pk), [])
            cells[column_of[member.pk]] = "/".join(sorted(found, key=order.index))
        present = roles_by_deliverable.get(deliverable.pk, set())
        gaps = [
            f"No {label}"
            for role, label in (
                (RaciAssignment.Role.ACCOUNTABLE, "Accountable"),
                (RaciAssignment.Role.RESPONSIBLE, "Responsible"),
            )
            if role not in present
        ]
        matrix.rows.append(RaciRow(deliverable=deliverable, cells=cells, gaps=gaps))
    return matrix
