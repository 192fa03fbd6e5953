from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models.core import PARTY, CampaignChildQuerySet, Deliverable
from partners.models import Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, OWNER, VIEW, while_open
from partners.scoping.versions import Versioned
from utilities.validation import work_date

_FINISHED_STATUSES = (Deliverable.Status.APPROVED, Deliverable.Status.PUBLISHED)


class SignoffRequestQuerySet(CampaignChildQuerySet):
    # Requests are made by any party when a deliverable goes into review; each is the reviewer's company's
    # to decide (the reviewer in person), and the record is never edited or deleted otherwise.
    campaign_path = "deliverable__campaign"
    owner_path = "reviewer__organization"
    rules = while_open(
        {VIEW: PARTY, ADD: PARTY, CHANGE: NOBODY, DELETE: NOBODY, "decide": PARTY & OWNER, "ask again": PARTY}
    )
    server_owned = {"reviewer": None}

    def pending(self) -> "SignoffRequestQuerySet":
        return self.filter(status=SignoffRequest.Status.PENDING)

    def blockers_of(self, deliverable: Deliverable) -> str | None:
        """Why `deliverable` may not move to Approved/Published yet, or None. Called by `Deliverable.clean()`.

        A review is needed when its flag is ticked, and also, whatever the flags now say, while a request of
        that kind is still open: unticking a flag does not skip a review already asked for.
        """
        if deliverable.status not in _FINISHED_STATUSES:
            return None
        if deliverable.pk and Deliverable.objects.filter(pk=deliverable.pk, status=deliverable.status).exists():
            return None  # not a move into this status; editing an approved deliverable stays possible
        requests = list(self.filter(deliverable_id=deliverable.pk).select_related("reviewer") if deliverable.pk else [])
        target = deliverable.get_status_display()
        fingerprint = deliverable.content_fingerprint()  # as about to be saved: an edit and a move in one save
        problems = []
        for kind, flagged, missing in (
            (
                SignoffRequest.Kind.SIGNOFF,
                deliverable.needs_signoff,
                "it needs sign-off but nobody was asked "
                "(name approvers in the kickoff questionnaire or an Accountable)",
            ),
            (
                SignoffRequest.Kind.LEGAL,
                deliverable.needs_legal_review,
                "it needs legal review but no legal reviewer was asked (name one in each company's kickoff answers)",
            ),
        ):
            of_kind = [request for request in requests if request.kind == kind]
            if flagged and not of_kind:
                problems.append(missing)
                continue
            label = SignoffRequest.Kind(kind).label.lower()
            # An approval counts for the content it approved only.
            outdated = [r for r in of_kind if r.content_changed_at or r.approved_content_differs(fingerprint)]
            pending = [r for r in of_kind if r.status == SignoffRequest.Status.PENDING and r not in outdated]
            changes = [r for r in of_kind if r.status == SignoffRequest.Status.CHANGES_REQUESTED]
            if pending:
                problems.append(f"{label} is pending from {_names(pending)}")
            if outdated:
                problems.append(f"the content changed since {_names(outdated)} approved it ({label})")
            if changes:
                problems.append(f"{_names(changes)} requested changes ({label})")
        if not problems:
            return None
        return f"This deliverable cannot be marked {target} yet: {'; '.join(problems)}."


def _names(requests: list["SignoffRequest"]) -> str:
    return ", ".join(request.reviewer.full_name for request in requests)


class SignoffRequest(Versioned):
    """A request to one person to sign off a deliverable, or to review it legally for their company."""

    class Kind(models.TextChoices):
        SIGNOFF = "signoff", "Sign-off"
        LEGAL = "legal", "Legal review"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="signoff_requests")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SIGNOFF)
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signoff_requests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(blank=True)
    due_date = models.DateField(validators=[work_date])
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What an approval approved: the deliverable's reviewed content then, and its fingerprint (see
    # Deliverable.REVIEWED_FIELDS). Kept when that content changes, to show what was approved.
    approved_content = models.JSONField(default=dict, blank=True, editable=False)
    approved_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    content_changed_at = models.DateTimeField(
        "changed since approval",
        null=True,
        blank=True,
        editable=False,
        help_text="When the approved content changed: the request is pending again until decided anew.",
    )

    history = HistoricalRecords()
    objects = SignoffRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "sign-off request"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "kind", "reviewer"],
                name="signoff_request_once_per_reviewer",
                violation_error_message="This person has already been asked to review this deliverable.",
            ),
            models.CheckConstraint(
                condition=~Q(status="changes_requested") | ~Q(comment=""),
                name="signoff_changes_need_comment",
                violation_error_message="Say which changes are needed: a comment is required.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of “{self.deliverable}” by {self.reviewer.full_name}"

    @property
    def status_label(self) -> str:
        return "Changed since approval" if self.content_changed_at else self.get_status_display()

    @property
    def approved_summary(self) -> str:
        """'title “Spring webinar”, link “https://…”', or '' when it stands for no approval."""
        return Deliverable.describe_content(self.approved_content) if self.approved_content else ""

    def changes_since_approval(self) -> list[str]:
        return self.deliverable.content_changes(since=self.approved_content) if self.approved_content else []

    def approved_content_differs(self, fingerprint: str) -> bool:
        """An approval of content other than the one of `fingerprint`."""
        return self.status == self.Status.APPROVED and self.approved_fingerprint != fingerprint

    def clean(self) -> None:
        if self.status == self.Status.CHANGES_REQUESTED and not self.comment.strip():
            raise ValidationError({"comment": "Say which changes are needed: a comment is required."})
