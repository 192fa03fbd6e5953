"""A company's own side of a campaign team: who of its people holds each stakeholder role."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, Member
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, ensure_may
from utilities.validation import save_validated


@transaction.atomic
def team_roles_name(
    *,
    campaign: Campaign,
    organization: Organization,
    holders: Mapping[str, Person],
    seen_versions: Mapping[int, int],
    user: Any,
) -> list[Member]:
    """`organization` names who holds each role of `holders` (a `Member.ROLE_FIELDS` name -> one of its people) on
    its side of the team: a person not on the team joins it, and the role passes from whoever of the company held it.
    A member row changed since the version its author saw (`seen_versions`, member id -> version) is refused.
    Returns the members written."""
    unknown = sorted(set(holders) - set(Member.ROLE_FIELDS))
    if unknown:
        raise ValidationError(f"Not a role of a campaign team: {', '.join(unknown)}.")
    for field, person in holders.items():
        if person.organization_id != organization.pk:
            raise ValidationError({field: f"{person.full_name} is not a person of {organization}."})
    members = {
        member.person_id: member
        for member in Member.objects.select_for_update().filter(campaign=campaign, person__organization=organization)
    }
    for person in holders.values():
        members.setdefault(person.pk, Member(campaign=campaign, person=person))
    written = []
    for member in members.values():
        for field, person in holders.items():
            setattr(member, field, member.person_id == person.pk)
        if member.pk is not None and not member.changed_fields():
            continue
        if member.pk is not None:
            member.expect_version(seen_versions.get(member.pk))
        adding = member.pk is None
        member._history_user = user
        save_validated(member)
        ensure_may(user, member, ADD if adding else CHANGE)
        written.append(member)
    return written
