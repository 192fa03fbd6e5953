"""The facilitator's log of a meeting: attendance, decisions and action items."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, CampaignChildQuerySet, Deliverable, Member
from campaigns.models.core import PARTY
from meetings.models.series import Meeting
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, OWNER, VIEW, related, while_open
from partners.scoping.versions import Versioned
from utilities.validation import validate_single_line, work_date

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


PENDING = related("pending")  # the decision still waits to be made


def made_elsewhere(decider: Member, organization_id: int | None) -> str | None:
    """Why a company may not record `decider`'s decision as made (it binds another company: that company's word,
    which only its people record); None when it may. The forms' wording of the "make" rule."""
    company = decider.person.organization
    if company.pk == organization_id:
        return None
    name = decider.person.full_name
    instead = (
        f"raise it as pending for {name}, who records it as made"
        if decider.is_decision_maker
        else f"choose a decider of your own company, or let {company} record it"
    )
    return (
        f"{name} decides for {company}: only the people of {company} record its decisions as made. Instead, {instead}."
    )


class DecisionQuerySet(CampaignChildQuerySet):
    # A decision is its company's word: any party raises one as pending for a company's decision maker, but only
    # the company it binds records it as made, amends it (while pending), supersedes or withdraws it. Recording a
    # new decision as made is making it (the services ask for "make"); a made decision is never edited or
    # deleted, only superseded by a new one or withdrawn, so the log keeps what each company said.
    owner_path = "binding_company"
    rules = while_open(
        {
            VIEW: PARTY,
            ADD: PARTY,
            CHANGE: PARTY & OWNER & PENDING,
            DELETE: NOBODY,
            "make": PARTY & OWNER,
            "supersede": PARTY & OWNER,
            "withdraw": PARTY & OWNER,
        }
    )
    # Made, superseded and withdrawn by the actions; pending or made is chosen once, when it is recorded.
    server_owned = {"status": None}
    relation_words = {"owner": "the company the decision binds"}
    row_conditions = {**CampaignChildQuerySet.row_conditions, "pending": "while it is pending"}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "pending":
            return Q(status=Decision.Status.PENDING)
        return super().relation_q(relation, actor)

    def pending(self) -> "DecisionQuerySet":
        return self.filter(status=Decision.Status.PENDING)


class Decision(Versioned):
    """A decision of the campaign, binding one company (its decider's): made (in a meeting or outside one), or
    pending, waiting for that company's decision maker; later superseded by a new decision, or withdrawn."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        MADE = "made", "Made"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    RECORDED_AS = (Status.PENDING, Status.MADE)

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
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.MADE)
    decided_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
        verbose_name="decider",
        help_text="Who made the decision, or, while it is pending, the decision maker who must make it.",
    )
    binding_company = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="binds",
        help_text="The company whose word it is: the decider's. Only its people make, amend or withdraw it.",
    )
    needed_by = models.DateField(
        null=True, blank=True, validators=[work_date], help_text="For a pending decision: the date it is needed by."
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="superseded_by",
        help_text="The earlier decision of the same company this one replaces.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs) -> None:
        self._derive()
        if self.status == self.Status.MADE and self.decided_at is None:
            self.decided_at = timezone.now()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs) -> None:
        self._derive()
        super().full_clean(*args, **kwargs)

    def _derive(self) -> None:
        """A decision logged in a meeting belongs to its campaign, and binds its decider's company."""
        if self.campaign_id is None and self.meeting_id:
            self.campaign_id = self.meeting.series.campaign_id
        if self.decided_by_id:
            self.binding_company_id = self.decided_by.person.organization_id

    @property
    def state(self) -> str:
        """The status in words: "Superseded by “…”" names the decision that replaced it."""
        if self.status == self.Status.SUPERSEDED:
            successor = getattr(self, "superseded_by", None)
            return f"Superseded by “{successor}”" if successor else "Superseded"
        if self.status == self.Status.WITHDRAWN and self.withdrawn_at:
            who = f" by {self.withdrawn_by.full_name}" if self.withdrawn_by_id else ""
            return f"Withdrawn{who} on {timezone.localtime(self.withdrawn_at):%-d %b %Y}"
        return self.get_status_display()

    def clean(self) -> None:
        errors = {}
        if self.pk is None and self.status not in self.RECORDED_AS:
            errors["status"] = (
                "A decision is recorded as made or raised as pending; it is superseded or withdrawn later."
            )
        if self.meeting_id and self.campaign_id and self.meeting.series.campaign_id != self.campaign_id:
            errors["meeting"] = "This meeting belongs to another campaign."
        if self.decided_by_id and self.campaign_id and self.decided_by.campaign_id != self.campaign_id:
            errors["decided_by"] = _member_error(self.decided_by, "make its decisions")
        elif self.status == self.Status.PENDING and self.decided_by_id and not self.decided_by.is_decision_maker:
            errors["decided_by"] = (
                f"{self.decided_by.person.full_name} is not a decision maker of {self.decided_by.person.organization} "
                "on this campaign: a pending decision waits for a decision maker."
            )
        if self.supersedes_id and (
            self.supersedes.campaign_id != self.campaign_id
            or self.supersedes.binding_company_id != self.binding_company_id
        ):
            errors["decided_by"] = (
                f"“{self.supersedes}” is the word of {self.supersedes.binding_company}: only a decision of "
                f"{self.supersedes.binding_company} on this campaign supersedes it."
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
    # The company that owes it: its owner's, set by the server whenever the owner is. Kept on the row because "what
    # waits on your partners" asks for items *not* owned by one company, which otherwise joined every open item of
    # a hub's to its owner's company to find none (450 ms of My work at 100,000 campaigns).
    owner_company = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", editable=False, blank=True
    )
    due_date = models.DateField(validators=[work_date])
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
        indexes = [
            models.Index(fields=["status", "due_date"], name="action_item_open_due"),
            models.Index(fields=["due_date", "id"], name="action_item_due_idx"),  # lists in their order
            # A company's open items in due order, read from the index up to a panel's rows (with the id, so that
            # the order by due date and id needs no sort of all of a hub's open items).
            models.Index(fields=["status", "owner_company", "due_date", "id"], name="action_item_open_company_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.owner_id is not None and (self._state.adding or "owner" in self.changed_fields()):
            owners = Member.objects.filter(pk=self.owner_id)
            self.owner_company_id = owners.values_list("person__organization_id", flat=True).first()
        super().save(*args, **kwargs)

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
