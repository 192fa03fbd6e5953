from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import BudgetLine
from campaigns.models.budget import budget_owner_refusal
from partners.models import Person
from utilities.validation import save_validated


@transaction.atomic
def budget_line_approve(*, line: BudgetLine, person: Person | None) -> BudgetLine:
    """The paying company's budget owner on the campaign approves the line as it stands: the approval is pinned to
    its amount and currency (a later change of either reopens it, see `BudgetLine.save`)."""
    if person is None:
        # A company's word is given by that company alone: the operator has no budget to approve for it.
        raise ValidationError(
            f"Approval is the word of the budget owner of {line.organization} on this campaign; the operator does "
            "not approve for a company."
        )
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    refused = budget_owner_refusal(line, person)
    if refused:
        raise PermissionDenied(refused)
    if line.status == BudgetLine.Status.APPROVED:
        raise ValidationError(f"“{line.what}” is already approved ({line.approval_text}).")
    line.status = BudgetLine.Status.APPROVED
    line.approved_by, line.approved_at = person, timezone.now()
    line.approved_amount, line.approved_currency = line.planned_amount, line.currency
    return save_validated(line)
