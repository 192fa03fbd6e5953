from typing import Any

from django.db import transaction

from campaigns.models import Campaign, Member, Party, RaciAssignment
from comarketing.validation import save_validated
from partners.models import Person


@transaction.atomic
def campaign_create(*, user: Any, campaign: Campaign) -> Campaign:
    """Every campaign starts as a draft; a company user's company becomes its host, and they join its team."""
    campaign.status = Campaign.Status.DRAFT
    campaign.created_by = user if user.is_authenticated else None
    save_validated(campaign)
    person = Person.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    if person is not None:
        save_validated(
            Party(campaign=campaign, organization_id=person.organization_id, role=Party.Role.HOST, point_of_contact=person)
        )
        save_validated(Member(campaign=campaign, person=person))
    return campaign


@transaction.atomic
def campaign_transition(*, campaign: Campaign, status: str) -> Campaign:
    campaign.status = status
    return save_validated(campaign)


@transaction.atomic
def raci_unassign(*, assignment: RaciAssignment) -> None:
    """Remove an assignment, refusing to leave a started deliverable without a Responsible."""
    deliverable = assignment.deliverable
    deliverable.ensure_keeps_a_responsible(deliverable.raci.exclude(pk=assignment.pk).values_list("role", flat=True))
    assignment.delete()
