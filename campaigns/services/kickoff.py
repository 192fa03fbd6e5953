from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, KickoffCompanyPart, KickoffQuestionnaire, Member, ToolAccess
from campaigns.selectors.kickoff import campaign_for_completeness, kickoff_completeness
from partners.models import Organization, Person
from utilities.validation import save_validated


@transaction.atomic
def questionnaire_get_or_create(*, campaign: Campaign) -> KickoffQuestionnaire:
    questionnaire, _ = KickoffQuestionnaire.objects.get_or_create(campaign=campaign)
    return questionnaire


@transaction.atomic
def kickoff_part_get_or_create(*, campaign: Campaign, organization: Organization) -> KickoffCompanyPart:
    part = KickoffCompanyPart.objects.filter(campaign=campaign, organization=organization).first()
    return part or save_validated(KickoffCompanyPart(campaign=campaign, organization=organization))


@transaction.atomic
def kickoff_part_mark_complete(*, part: KickoffCompanyPart, person: Person | None) -> KickoffCompanyPart:
    """A company marks its own part complete, once every question of its part is answered."""
    if person is None or person.organization_id != part.organization_id:
        raise ValidationError(f"Only people of {part.organization} can mark its part of the kickoff complete.")
    unanswered = kickoff_completeness(campaign_for_completeness(part.campaign_id)).unanswered_of(part.organization_id)
    if unanswered:
        raise ValidationError(f"Answer these questions first: {'; '.join(unanswered)}.")
    part.completed_at = timezone.now()
    part.completed_by = person
    return save_validated(part)


@transaction.atomic
def tool_access_confirm(
    *, member: Member, tool: str, has_access: bool, person: Person | None, seen_version: int | None = None
) -> ToolAccess:
    """Record whether `member` can use `tool`, confirmed by them or a colleague (model validation says who may).
    A line changed since `seen_version` (the version its author saw) is refused."""
    access = ToolAccess.objects.filter(member=member, tool=tool).first() or ToolAccess(member=member, tool=tool)
    if access.pk is not None:
        access.expect_version(seen_version)
    access.has_access = has_access
    access.confirmed_by = person
    return save_validated(access)
