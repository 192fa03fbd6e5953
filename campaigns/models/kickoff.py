"""The kickoff questionnaire (DOMAIN.md): the questions every company answers before a joint campaign starts.

Campaign-wide answers live on `KickoffQuestionnaire` and its rows; each company's own answers (legal review,
processes and lead times) on `KickoffCompanyPart`, which only that company may change and mark complete.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from campaigns.models.core import (
    OWN_PART,
    OWN_PART_KEPT,
    PARTY,
    Campaign,
    CampaignChildQuerySet,
    Deliverable,
    KeptRecordQuerySet,
    Member,
    Party,
)
from partners.models import Organization, Person
from partners.scoping import OPEN, OWNER, own_company, own_person
from partners.scoping.versions import Versioned
from utilities.validation import work_date

MAX_BUSINESS_DAYS = 60


class OwnCompanyChangeQuerySet(CampaignChildQuerySet):
    """Every party of the campaign reads these rows; only the company they belong to changes them."""

    owner_path = "organization"
    rules = OWN_PART
    server_owned = {"organization": own_company}


class KickoffCompanyPartQuerySet(OwnCompanyChangeQuerySet):
    rules = {**OWN_PART_KEPT, "complete": PARTY & OWNER & OPEN}
    own_choices = ("legal_reviewer",)


def must_be_party(campaign_id: int | None, organization: Organization | None, field: str) -> None:
    if (
        campaign_id
        and organization is not None
        and not Party.objects.filter(campaign_id=campaign_id, organization=organization).exists()
    ):
        raise ValidationError({field: f"{organization} is not a party of this campaign."})


class KickoffQuestionnaire(Versioned):
    """The campaign-wide answers of the kickoff questionnaire."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly (recommended)"
        BIWEEKLY = "biweekly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="kickoff_questionnaire")
    production_process = models.TextField(
        blank=True, help_text="What will the production process look like? Steps, reviews, hand-overs."
    )
    video_meeting_tool = models.CharField(max_length=100, blank=True, help_text="e.g. Zoom, Google Meet, Teams")
    video_meeting_link = models.URLField(blank=True)
    file_sharing_tool = models.CharField(max_length=100, blank=True, help_text="e.g. Google Drive, Box")
    file_sharing_link = models.URLField(blank=True)
    file_review_tool = models.CharField(max_length=100, blank=True, help_text="e.g. Figma, Filestage, Google Docs")
    file_review_link = models.URLField(blank=True)
    meeting_cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.WEEKLY, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = KeptRecordQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id"]

    def __str__(self) -> str:
        return f"Kickoff questionnaire: {self.campaign}"

    def named_tools(self) -> list[str]:
        """The tool kinds (ToolAccess.Tool values) this campaign has named a tool for."""
        return [tool for tool in ToolAccess.Tool.values if getattr(self, f"{tool}_tool")]


class MilestoneQuerySet(CampaignChildQuerySet):
    campaign_path = "questionnaire__campaign"


class ProductionMilestone(Versioned):
    questionnaire = models.ForeignKey(KickoffQuestionnaire, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True, validators=[work_date])

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class SignoffApproverQuerySet(CampaignChildQuerySet):
    campaign_path = "questionnaire__campaign"


class SignoffApprover(Versioned):
    """Who must approve deliverables of a type (besides each deliverable's Accountable)."""

    questionnaire = models.ForeignKey(KickoffQuestionnaire, on_delete=models.PROTECT, related_name="approvers")
    deliverable_type = models.CharField(max_length=32, choices=Deliverable.Type.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="signoff_duties")

    history = HistoricalRecords()
    objects = SignoffApproverQuerySet.as_manager()

    class Meta:
        ordering = ["questionnaire_id", "deliverable_type", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "deliverable_type", "member"],
                name="signoff_approver_once_per_type",
                violation_error_message="This person already approves this type of deliverable.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_deliverable_type_display()}: {self.member}"

    def clean(self) -> None:
        if self.questionnaire_id and self.member_id and self.member.campaign_id != self.questionnaire.campaign_id:
            raise ValidationError({"member": "Approvers must be members of this campaign's team."})


class KickoffCompanyPart(Versioned):
    """One company's own answers: legal review, processes and lead times. Only that company changes them."""

    # Processes each company runs on its own channels: (field prefix, question name).
    PROCESSES = {
        "social_posts": "Scheduling social posts",
        "web_content": "Posting web content",
        "nurtures": "Setting up nurtures",
        "reports": "Getting reports",
    }

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="kickoff_parts")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    has_legal_review = models.BooleanField(
        null=True, blank=True, help_text="Does this company's legal team review deliverables? Leave empty if unknown."
    )
    legal_reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    legal_turnaround_business_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_BUSINESS_DAYS)], help_text="Weekends are skipped."
    )
    no_brand_assets = models.BooleanField(
        default=False, help_text="Tick if this company has no brand guidelines, logos or templates to share."
    )
    social_posts_process = models.TextField(blank=True)
    social_posts_lead_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_BUSINESS_DAYS)], help_text="Lead time, business days."
    )
    web_content_process = models.TextField(blank=True)
    web_content_lead_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_BUSINESS_DAYS)], help_text="Lead time, business days."
    )
    nurtures_process = models.TextField(blank=True)
    nurtures_lead_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_BUSINESS_DAYS)], help_text="Lead time, business days."
    )
    reports_process = models.TextField(blank=True)
    reports_lead_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_BUSINESS_DAYS)], help_text="Lead time, business days."
    )
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    history = HistoricalRecords()
    objects = KickoffCompanyPartQuerySet.as_manager()

    class Meta:
        verbose_name = "kickoff answers of a company"
        verbose_name_plural = "kickoff answers of companies"
        ordering = ["campaign_id", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                name="kickoff_part_once_per_company",
                violation_error_message="This company already has its kickoff answers for this campaign.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.campaign}"

    def clean(self) -> None:
        must_be_party(self.campaign_id, self.organization if self.organization_id else None, "organization")
        errors = {}
        if (
            self.legal_reviewer_id
            and self.organization_id
            and self.legal_reviewer.organization_id != self.organization_id
        ):
            errors["legal_reviewer"] = f"The legal reviewer must be a person of {self.organization}."
        if self.has_legal_review is False and (self.legal_reviewer_id or self.legal_turnaround_business_days):
            errors["has_legal_review"] = "A reviewer and turnaround are only for companies that have legal review."
        if errors:
            raise ValidationError(errors)


class ToolAccessQuerySet(OwnCompanyChangeQuerySet):
    # A person's tool access is confirmed by their own company.
    campaign_path = "member__campaign"
    owner_path = "member__person__organization"
    rules = OWN_PART_KEPT  # access is switched off, not deleted
    server_owned = {"confirmed_by": own_person}
    own_choices = ("member",)


class ToolAccess(Versioned):
    """One line of the tool-access checklist, confirmed by the member or a colleague of their company."""

    class Tool(models.TextChoices):
        # Values match the KickoffQuestionnaire field prefixes.
        VIDEO_MEETING = "video_meeting", "Video meetings"
        FILE_SHARING = "file_sharing", "File sharing"
        FILE_REVIEW = "file_review", "File review"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="tool_access")
    tool = models.CharField(max_length=16, choices=Tool.choices)
    has_access = models.BooleanField(default=True)
    confirmed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", editable=False)
    confirmed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ToolAccessQuerySet.as_manager()

    class Meta:
        verbose_name = "tool access"
        verbose_name_plural = "tool access checklist"
        ordering = ["member_id", "tool"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "tool"],
                name="tool_access_once_per_member_tool",
                violation_error_message="Access to this tool is already recorded for this member.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_tool_display()} ({'yes' if self.has_access else 'no'})"

    def clean(self) -> None:
        if not self.confirmed_by_id:
            raise ValidationError("Tool access is confirmed by the member or a colleague of their company.")
        if (
            self.member_id
            and self.confirmed_by_id
            and self.confirmed_by.organization_id != self.member.person.organization_id
        ):
            raise ValidationError(
                f"Only {self.member.person.full_name} or a colleague at {self.member.person.organization} "
                "can confirm their tool access."
            )
