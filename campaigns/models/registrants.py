"""A webinar platform's registrant export, counted (issue 29, item 3): registrants and attendees per source
company (the utm_source of each company's tracking link) and in total. Only the counts are kept: the file's
personal data is read once, as it streams, and never stored, so no company sees another's registrants here."""

from django.db import models
from simple_history.models import HistoricalRecords

from campaigns.models.core import OWN_PART, Campaign, CampaignChildQuerySet
from partners.models import Organization, Person
from partners.scoping import own_company, own_person
from partners.scoping.versions import Versioned
from utilities.validation import validate_period_span, work_date


class RegistrantImportQuerySet(CampaignChildQuerySet):
    # Every party sees the counts; a company imports (and so reports) its own platform's export.
    owner_path = "organization"
    rules = OWN_PART
    server_owned = {"campaign": None, "organization": own_company, "imported_by": own_person}


class RegistrantImport(Versioned):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="registrant_imports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="company")
    period_start = models.DateField(validators=[work_date])
    period_end = models.DateField(validators=[work_date])
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64, editable=False)
    columns = models.JSONField(
        default=dict, editable=False, help_text="Which of the file's columns held the e-mail, attended and source."
    )
    registrants = models.PositiveIntegerField(default=0, editable=False)
    attendees = models.PositiveIntegerField(default=0, editable=False)
    by_source = models.JSONField(
        default=list,
        editable=False,
        help_text="Registrants and attendees per source company (utm_source), and those of no company's link.",
    )
    imported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = RegistrantImportQuerySet.as_manager()

    class Meta:
        verbose_name = "registrant import"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "file_sha256"],
                name="registrant_import_once_per_file",
                violation_error_message="This file was imported already.",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="registrant_import_period_ordered",
                violation_error_message="The period cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.registrants} registrants, {self.attendees} attendees"

    def clean(self) -> None:
        validate_period_span(self.period_start, self.period_end)
