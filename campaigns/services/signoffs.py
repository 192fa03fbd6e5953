import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Deliverable, KickoffCompanyPart, RaciAssignment, SignoffApprover, SignoffRequest
from campaigns.outbox.notices import SIGNOFF_REQUEST, notice_send
from utilities.business_days import add_business_days
from utilities.validation import save_validated


def _approver_person_ids(deliverable: Deliverable) -> list[int]:
    """Approvers named in the questionnaire for this type of deliverable, then its Accountable."""
    named = SignoffApprover.objects.filter(
        questionnaire__campaign_id=deliverable.campaign_id, deliverable_type=deliverable.type
    ).values_list("member__person_id", flat=True)
    accountable = RaciAssignment.objects.filter(
        deliverable=deliverable, role=RaciAssignment.Role.ACCOUNTABLE
    ).values_list("member__person_id", flat=True)
    return list(dict.fromkeys([*named, *accountable]))


def _legal_reviewers(deliverable: Deliverable) -> list[tuple[int, int]]:
    """(person id, turnaround in business days) of the legal reviewer of each party that has legal review."""
    return list(
        KickoffCompanyPart.objects.filter(
            campaign_id=deliverable.campaign_id,
            has_legal_review=True,
            legal_reviewer__isnull=False,
            organization__campaign_parties__campaign_id=deliverable.campaign_id,
        ).values_list("legal_reviewer_id", "legal_turnaround_business_days")
    )


@transaction.atomic
def signoff_requests_create(*, deliverable: Deliverable, today: datetime.date | None = None) -> list[SignoffRequest]:
    """Ask every required reviewer who has not been asked yet; safe to call again."""
    today = today or timezone.localdate()
    wanted: list[tuple[str, int, datetime.date]] = []
    if deliverable.needs_signoff:
        due = add_business_days(today, settings.SIGNOFF_TURNAROUND_BUSINESS_DAYS)
        wanted += [(SignoffRequest.Kind.SIGNOFF, person_id, due) for person_id in _approver_person_ids(deliverable)]
    if deliverable.needs_legal_review:
        wanted += [
            (SignoffRequest.Kind.LEGAL, person_id, add_business_days(today, turnaround or 0))
            for person_id, turnaround in _legal_reviewers(deliverable)
        ]
    asked = set(deliverable.signoff_requests.values_list("kind", "reviewer_id"))
    made = [
        save_validated(SignoffRequest(deliverable=deliverable, kind=kind, reviewer_id=person_id, due_date=due))
        for kind, person_id, due in wanted
        if (kind, person_id) not in asked
    ]
    for request in made:
        _tell_reviewer(request)
    return made


def _tell_reviewer(request: SignoffRequest) -> None:
    """The reviewer hears of a request the moment it is made, with its due date as a day of their own zone."""
    reviewer, deliverable = request.reviewer, request.deliverable
    what = request.get_kind_display().lower()
    notice_send(
        kind=SIGNOFF_REQUEST,
        subject=f"signoff_request:{request.pk}",
        people=[reviewer],
        campaign=deliverable.campaign,
        subject_line=f"Your {what} of “{deliverable}” is needed by {request.due_date:%a %-d %b}",
        paragraphs=[
            f"“{deliverable}” of the campaign “{deliverable.campaign}” waits for your {what}.",
            f"Please approve it or request changes by the end of {request.due_date:%A %-d %B %Y}, "
            f"your time ({reviewer.time_zone}).",
        ],
        link_path=reverse("admin:campaigns_signoffrequest_change", args=[request.pk]),
    )


@transaction.atomic
def signoff_decide(*, request: SignoffRequest, user: Any, status: str, comment: str = "") -> SignoffRequest:
    """The reviewer approves or requests changes (with a comment); nobody decides for them."""
    reviewer_user_id = request.reviewer.user_id
    if reviewer_user_id is None or reviewer_user_id != user.pk:
        raise ValidationError(
            f"Only {request.reviewer.full_name} can decide on this {request.get_kind_display().lower()}."
        )
    if status not in (SignoffRequest.Status.APPROVED, SignoffRequest.Status.CHANGES_REQUESTED):
        raise ValidationError({"status": "Decide with “approved” or “changes requested”."})
    request.status = status
    request.comment = comment
    request.decided_at = timezone.now()
    request._history_user = user
    return save_validated(request)


@transaction.atomic
def signoff_request_reopen(*, request: SignoffRequest, today: datetime.date | None = None) -> SignoffRequest:
    """Ask again after the requested changes were made; the earlier comment stays in the history."""
    if request.status != SignoffRequest.Status.CHANGES_REQUESTED:
        raise ValidationError("Only a request with changes requested can be asked again.")
    today = today or timezone.localdate()
    if request.kind == SignoffRequest.Kind.LEGAL:
        turnaround = (
            KickoffCompanyPart.objects.filter(
                campaign_id=request.deliverable.campaign_id, legal_reviewer_id=request.reviewer_id
            )
            .values_list("legal_turnaround_business_days", flat=True)
            .first()
        )
    else:
        turnaround = settings.SIGNOFF_TURNAROUND_BUSINESS_DAYS
    request.status = SignoffRequest.Status.PENDING
    request.comment = ""
    request.decided_at = None
    request.due_date = add_business_days(today, turnaround or 0)
    return save_validated(request)
