import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Deliverable, KickoffCompanyPart, RaciAssignment, SignoffApprover, SignoffRequest
from campaigns.outbox.notices import APPROVED_CONTENT_CHANGED, SIGNOFF_REQUEST, notice_send
from campaigns.registries.answers import Answer, answer
from campaigns.services.answers import answer_links
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
        answers=lambda person: answer_links("signoff", request, person),
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
    # Locked: an edit committing meanwhile either comes first (and is what gets approved) or waits and then
    # finds this approval to re-open.
    deliverable = Deliverable.objects.select_for_update().get(pk=request.deliverable_id)
    approved = status == SignoffRequest.Status.APPROVED
    request.deliverable = deliverable
    request.status = status
    request.comment = comment
    request.decided_at = timezone.now()
    request.approved_content = deliverable.reviewed_content() if approved else {}
    request.approved_fingerprint = deliverable.content_fingerprint() if approved else ""
    request.content_changed_at = None
    request._history_user = user
    return save_validated(request)


@transaction.atomic
def signoff_request_reopen(*, request: SignoffRequest, today: datetime.date | None = None) -> SignoffRequest:
    """Ask again after the requested changes were made; the earlier comment stays in the history."""
    if request.status != SignoffRequest.Status.CHANGES_REQUESTED:
        raise ValidationError("Only a request with changes requested can be asked again.")
    request.status = SignoffRequest.Status.PENDING
    request.comment = ""
    request.decided_at = None
    request.due_date = _due_again(request, today or timezone.localdate())
    return save_validated(request)


def _due_again(request: SignoffRequest, today: datetime.date) -> datetime.date:
    """A request asked again is due after the same turnaround as a new one."""
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
    return add_business_days(today, turnaround or 0)


@transaction.atomic
def approvals_reopen_on_change(*, deliverable: Deliverable, today: datetime.date | None = None) -> list[SignoffRequest]:
    """Approvals of content the deliverable no longer has are asked again; safe to call after any save.

    Each reads "changed since approval" (what it approved stays on it), is pending again with a fresh due date,
    and its reviewer is told once. An Approved deliverable goes back into review: nothing approves it any more.
    A Published one stays published (it is out on the channel; taking it down is its company's call) and shows
    its reviews as changed since approval until they are decided again.
    """
    outdated = list(
        deliverable.signoff_requests.filter(status=SignoffRequest.Status.APPROVED)
        .exclude(approved_fingerprint=deliverable.content_fingerprint())
        .select_related("reviewer")
        .order_by("reviewer__full_name", "kind")
    )
    if not outdated:
        return []
    today, now = today or timezone.localdate(), timezone.now()
    for request in outdated:
        request.deliverable = deliverable
        request.status = SignoffRequest.Status.PENDING
        request.comment = ""
        request.decided_at = None
        request.content_changed_at = now
        request.due_date = _due_again(request, today)
        request._change_reason = "The approved content changed"
        save_validated(request)
    if deliverable.status == Deliverable.Status.APPROVED:
        deliverable.status = Deliverable.Status.IN_REVIEW
        deliverable._change_reason = "Back in review: its approved content changed"
        deliverable.save(update_fields=["status"])
    by_reviewer: dict[int, list[SignoffRequest]] = {}
    for request in outdated:
        by_reviewer.setdefault(request.reviewer_id, []).append(request)
    for requests in by_reviewer.values():
        _tell_reviewer_content_changed(requests, at=now)
    return outdated


def _tell_reviewer_content_changed(requests: list[SignoffRequest], *, at: datetime.datetime) -> None:
    """One message per reviewer, whether they approved the deliverable once or twice (sign-off and legal)."""
    reviewer, deliverable = requests[0].reviewer, requests[0].deliverable
    what_changed = "; ".join(requests[0].changes_since_approval())
    if deliverable.status == Deliverable.Status.PUBLISHED:
        consequence = "It is published as it is now, and shows as changed since approval until you decide again."
    else:
        consequence = "It cannot be marked Approved or Published until it is approved again."
    notice_send(
        kind=APPROVED_CONTENT_CHANGED,
        subject=f"deliverable:{deliverable.pk}",
        people=[reviewer],
        campaign=deliverable.campaign,
        subject_line=f"“{deliverable}” changed after your approval: please review it again",
        paragraphs=[
            f"“{deliverable}” of the campaign “{deliverable.campaign}” changed after you approved it: {what_changed}.",
            *(
                f"Your {request.get_kind_display().lower()} now reads “changed since approval”: please approve the "
                f"new content or request changes by the end of {request.due_date:%A %-d %B %Y}, your time "
                f"({reviewer.time_zone})."
                for request in requests
            ),
            consequence,
        ],
        # Where the reviewer decides: their one request, or the deliverable that lists both (sign-off and legal).
        link_path=reverse("admin:campaigns_signoffrequest_change", args=[requests[0].pk])
        if len(requests) == 1
        else reverse("admin:campaigns_deliverable_change", args=[deliverable.pk]),
        at=at,
    )


def _review_in_words(request: SignoffRequest) -> str:
    deliverable = request.deliverable
    return f"{request.get_kind_display()} of “{deliverable}” (campaign “{deliverable.campaign}”)"


def _reviewed_state(request: SignoffRequest) -> dict[str, str]:
    """What a one-click decision is bound to: the content reviewed, and the request's status."""
    return {**request.deliverable.reviewed_content(), "status": request.status_label}


def _decider(status: str):
    def decide(request: SignoffRequest, user: Any, note: str) -> None:
        signoff_decide(request=request, user=user, status=status, comment=note)

    return decide


# A decision from the e-mail approves the content the e-mail named: any change to the deliverable since refuses it.
for _action, _label, _status, _note in (
    ("approve", "Approve", SignoffRequest.Status.APPROVED, ""),
    (
        "changes",
        "Request changes",
        SignoffRequest.Status.CHANGES_REQUESTED,
        "Say which changes are needed: a comment is required.",
    ),
):
    answer(
        Answer(
            kind="signoff",
            action=_action,
            label=_label,
            model=SignoffRequest,
            rule="decide",
            describe=_review_in_words,
            state=_reviewed_state,
            perform=_decider(_status),
            note=_note,
            version=lambda request: f"{request.version}.{request.deliverable.version}",
        )
    )
