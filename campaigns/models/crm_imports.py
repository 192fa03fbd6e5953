"""A company's CRM export turned into the period's KPI figures."""

from django.db import models
from simple_history.models import HistoricalRecords

from campaigns.models.core import OWN_PART, Campaign, CampaignChildQuerySet
from partners.models import Organization, Person
from partners.scoping import own_company, own_person
from partners.scoping.versions import Versioned
from utilities.validation import validate_period_span, work_date


class CrmImportQuerySet(CampaignChildQuerySet):
    # Every party sees what was imported; a company imports (and replaces) only its own figures.
    owner_path = "organization"
    rules = OWN_PART
    server_owned = {"campaign": None, "organization": own_company, "imported_by": own_person}


class CrmImport(Versioned):
    """One upload of a company's CRM lead export for one period. Uploading again for the same period replaces
    the figures it made, so a re-upload never doubles them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="crm_imports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="company")
    period_start = models.DateField(validators=[work_date])
    period_end = models.DateField(validators=[work_date])
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64, editable=False)
    rows = models.PositiveIntegerField(default=0)
    leads_by_stage = models.JSONField(default=dict, editable=False)
    imported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CrmImportQuerySet.as_manager()

    class Meta:
        verbose_name = "CRM import"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization", "period_start", "period_end"],
                name="crm_import_once_per_period",
                violation_error_message="This period was imported already: uploading again replaces it.",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="crm_import_period_ordered",
                violation_error_message="The period cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}'s CRM export for {self.period_start}–{self.period_end}"

    def clean(self) -> None:
        validate_period_span(self.period_start, self.period_end)
