"""Campaign templates: a whole plan per kind, laid out backwards from the event date.

The shipped templates (no company) are data, loaded by a migration; a company saves its own from one of its
campaigns. Offsets are in business days from the event date (negative: before it).
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models.core import Campaign, Deliverable, Member
from campaigns.models.kpis import Metric
from partners.models import Organization
from partners.scoping import ADD, CHANGE, DELETE, OWNER, VIEW, ScopedQuerySet, own_company, related
from partners.scoping.versions import Versioned

SHIPPED = related("shipped")  # a template that comes with the tracker (no company owns it)
MAX_OFFSET = 250
ROLE_CHOICES = [(field, label) for field, label in Member.ROLE_FIELDS.items()]


class CampaignTemplateQuerySet(ScopedQuerySet):
    # Every company plans from the shipped templates (only the operator changes them); a company's own
    # templates are its own: nobody else sees them.
    owner_path = "organization"
    rules = {VIEW: SHIPPED | OWNER, ADD: OWNER, CHANGE: OWNER, DELETE: OWNER}
    server_owned = {"organization": own_company}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "shipped":
            return Q(**{f"{self.owner_path}__isnull": True})
        if relation == "owner":
            return Q(**{f"{self.owner_path}_id": actor.organization_id})
        return super().relation_q(relation, actor)


class CampaignTemplate(Versioned):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Campaign.Kind.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_templates",
        help_text="The company whose template it is; empty for the templates shipped with the tracker.",
    )
    description = models.TextField(blank=True)
    kpi_metrics = models.ManyToManyField(
        Metric,
        blank=True,
        related_name="+",
        help_text="KPIs a campaign of this kind is measured by (targets agreed at kickoff).",
    )
    has_weekly_meeting = models.BooleanField(default=True, help_text="Start a weekly joint meeting series.")
    meeting_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    meeting_time = models.TimeField(default=datetime.time(10, 0), help_text="In the creator's time zone.")
    meeting_duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CampaignTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "organization_id", "name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                "name",
                name="template_name_once_per_company",
                violation_error_message="Your company already has a template with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateDeliverableQuerySet(CampaignTemplateQuerySet):
    owner_path = "template__organization"
    server_owned = {"template": None}


class TemplateDeliverable(Versioned):
    """One deliverable of a template: what, on whose channel, when relative to the event, who does it."""

    class Channel(models.TextChoices):
        HOST = "host", "Host's channel"
        PARTNER = "partner", "Partner's channel"

    template = models.ForeignKey(CampaignTemplate, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=Deliverable.Type.choices, default=Deliverable.Type.OTHER)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.HOST)
    offset_business_days = models.SmallIntegerField(
        validators=[MinValueValidator(-MAX_OFFSET), MaxValueValidator(MAX_OFFSET)],
        help_text="Due this many business days after the event (negative: before it; 0: on the day).",
    )
    needs_signoff = models.BooleanField(default=False)
    needs_legal_review = models.BooleanField(default=False)
    accountable_role = models.CharField(
        max_length=24, choices=ROLE_CHOICES, default="is_project_lead", help_text="Of the channel company's team."
    )
    responsible_role = models.CharField(
        max_length=24, choices=ROLE_CHOICES, default="is_process_expert", help_text="Of the channel company's team."
    )

    history = HistoricalRecords()
    objects = TemplateDeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["template_id", "offset_business_days", "pk"]

    def __str__(self) -> str:
        return self.title
