"""The shared results report of a campaign, and each company's "what we learned"."""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from campaigns.models.assets import private_storage
from campaigns.models.core import OWN_PART_AFTER, PARTY, Campaign, CampaignChildQuerySet
from partners.models import Organization
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, own_company
from partners.scoping.versions import Versioned


def _report_path(instance: "ResultsReport", filename: str) -> str:
    # A random name: nothing about the campaign can be guessed from it.
    return f"private/results-reports/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class ResultsReportQuerySet(CampaignChildQuerySet):
    # Every party reads the report and may ask for a fresh one; the task writes it; it is kept, never edited.
    rules = {VIEW: PARTY, ADD: PARTY, CHANGE: NOBODY, DELETE: NOBODY}
    server_owned = {"campaign": None, "requested_by": None}


class ResultsReport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be built"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="results_reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    pdf = models.FileField(upload_to=_report_path, storage=private_storage, blank=True, editable=False)
    csv = models.FileField(upload_to=_report_path, storage=private_storage, blank=True, editable=False)
    error = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A report waits for its build task: when it was last handed to the broker, and when a worker took it. One
    # still "Being built" whose task never arrived (a broker outage) is offered again by the report sweep.
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    build_started_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = ResultsReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "results report"

    def __str__(self) -> str:
        return f"Results of {self.campaign} ({self.created_at:%d %b %Y})" if self.created_at else "Results report"


class LearningQuerySet(CampaignChildQuerySet):
    owner_path = "organization"
    rules = OWN_PART_AFTER  # learnings are written once the campaign is over
    server_owned = {"campaign": None, "organization": own_company}


class Learning(Versioned):
    """What a company learned from the campaign, in its own words, for the results report."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="learnings")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="company")
    text = models.TextField("what we learned", max_length=5000)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = LearningQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                name="learning_once_per_company",
                violation_error_message="Your company has already written what it learned: edit that.",
            )
        ]

    def __str__(self) -> str:
        return f"What {self.organization} learned from {self.campaign}"
