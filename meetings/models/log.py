"""The facilitator's log of a meeting: attendance, decisions and action items."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, CampaignChildQuerySet, Deliverable, Member
from meetings.models.series import Meeting
from partners.scoping.versions import Versioned
from utilities.validation import validate_single_line

MEETING_CAMPAIGN_PATH = "meeting__series__campaign"


def _member_error(member: Member, what: str) -> str:
    return f"{member.person.full_name} is not on this campaign's team; only team members can {what}."


def _check_member(meeting: Meeting, member: Member, field: str, what: str) -> None:
    if member.campaign_id != meeting.series.campaign_id:
        raise ValidationError({field: _member_error(member, what)})


class AttendanceQuerySet(CampaignChildQuerySet):
    campaign_path = MEETING_CAMPAIGN_PATH


class Attendance(Versioned):
    class Status(models.TextChoices):
        EXPECTED = "expected", "Invited (not recorded yet)"
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    MISSED = (Status.ABSENT, Status.EXCUSED)

    # An unlogged meeting's invitation list goes with it; a logged meeting is never deleted.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="meeting_attendance")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.EXPECTED)

    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "attendance"
        ordering = ["meeting_id", "member__person__organization__name", "member__person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="attendance_once_per_meeting",
                violation_error_message="This person is already on the meeting's attendance list.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.meeting_id and self.member_id:
            _check_member(self.meeting, self.member, "member", "attend its meetings")


class DecisionQuerySet(CampaignChildQuerySet):
    def pending(self) -> "DecisionQuerySet":
        return self.filter(status=Decision.Status.PENDING)


class Decision(Versioned):
    """A decision of the campaign: made (in a meeting or outside one), or pending, waiting for its decider."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        MADE = "made", "Made"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The meeting where it was made or raised; empty for a decision outside meetings.",
    )
    text = models.TextField("decision")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.MADE)
    decided_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
        verbose_name="decider",
        help_text="Who made the decision, or, while it is pending, the decision maker who must make it.",
    )
    needed_by = models.DateField(null=True, blank=True, help_text="For a pending decision: the date it is needed by.")
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs) -> None:
        self._campaign_from_meeting()
        if self.status == self.Status.MADE and self.decided_at is None:
            self.decided_at = timezone.now()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs) -> None:
        self._campaign_from_meeting()  # a decision logged in a meeting belongs to its campaign
        super().full_clean(*args, **kwargs)

    def _campaign_from_meeting(self) -> None:
        if self.campaign_id is None and self.meeting_id:
            self.campaign_id = self.meeting.series.campaign_id

    def clean(self) -> None:
        errors = {}
        if self.meeting_id and self.campaign_id and self.meeting.series.campaign_id != self.campaign_id:
            errors["meeting"] = "This meeting belongs to another campaign."
        if self.decided_by_id and self.campaign_id and self.decided_by.campaign_id != self.campaign_id:
            errors["decided_by"] = _member_error(self.decided_by, "make its decisions")
        elif self.status == self.Status.PENDING and self.decided_by_id and not self.decided_by.is_decision_maker:
            errors["decided_by"] = (
                f"{self.decided_by.person.full_name} is not a decision maker of {self.decided_by.person.organization} "
                "on this campaign: a pending decision waits for a decision maker."
            )
        if errors:
            raise ValidationError(errors)


class ActionItemQuerySet(CampaignChildQuerySet):
    campaign_path = MEETING_CAMPAIGN_PATH

    def open(self) -> "ActionItemQuerySet":
        return self.filter(status=ActionItem.Status.OPEN)

    def overdue(self, today: datetime.date) -> "ActionItemQuerySet":
        return self.open().filter(due_date__lt=today)


class ActionItem(Versioned):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="action_items", help_text="The meeting where it was agreed."
    )
    title = models.CharField(max_length=300, validators=[validate_single_line])
    owner = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        help_text="Optional: the deliverable of this campaign it moves forward.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_item_open_due")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.due_date is not None and self.due_date < today

    def clean(self) -> None:
        if not self.meeting_id:
            return
        errors = {}
        if self.owner_id and self.owner.campaign_id != self.meeting.series.campaign_id:
            errors["owner"] = _member_error(self.owner, "own its action items")
        if self.deliverable_id and self.deliverable.campaign_id != self.meeting.series.campaign_id:
            errors["deliverable"] = (
                f"“{self.deliverable}” is a deliverable of another campaign; link one of this campaign."
            )
        if errors:
            raise ValidationError(errors)
