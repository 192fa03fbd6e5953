"""A webinar platform's registrant export (issue 29, item 3): registrants and attendees per source company (the
utm_source of each company's tracking link) and in total, and one `Registrant` per person in the file.

A registrant's personal data is read as the agreed lead-sharing terms say: the company that imported the file
reads all of it (it is its own platform's export, which it holds anyway); any other company reads a registrant
only if the terms pinned on the campaign's last agreed round name it as a receiver, and of it only the fields the
terms give it. Until terms are agreed, only the importing company reads anyone. Registrants keep no history (a
history table would keep personal data past its retention)."""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from campaigns.models.core import OWN_PART, PARTY, Campaign, CampaignChildQuerySet
from campaigns.models.kpis import KpiRound
from campaigns.models.leads import RegistrantField, receivers_key
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, OWNER, VIEW, own_company, own_person, related
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


def pinned_terms_name(organization_id: int, field: str = "") -> Exists:
    """The lead-sharing terms pinned on the row's campaign's last agreed round name the company as a receiver (of
    `field`, if given): an EXISTS for the row's campaign (`campaign_id`)."""
    pinned = Q(locked_at__isnull=False, agreed_lead_terms__isnull=False)
    later = KpiRound.objects.filter(pinned, campaign_id=OuterRef("campaign_id"), number__gt=OuterRef("number"))
    key = receivers_key(organization_id)
    names = (
        Q(**{f"agreed_lead_terms__receivers__{key}__has_key": field})
        if field
        else Q(agreed_lead_terms__receivers__has_key=key)
    )
    return Exists(KpiRound.objects.filter(pinned, names, campaign_id=OuterRef("campaign_id")).filter(~Exists(later)))


RECEIVER = related("receiver")
# The personal fields and the registrant field of the terms each is shared as.
PERSONAL_FIELDS = {
    "email": RegistrantField.EMAIL,
    "name": RegistrantField.NAME,
    "company": RegistrantField.COMPANY,
    "job_title": RegistrantField.JOB_TITLE,
    "phone": RegistrantField.PHONE,
    "country": RegistrantField.COUNTRY,
    "attended": RegistrantField.ATTENDANCE,
}


class RegistrantQuerySet(CampaignChildQuerySet):
    # Imported with its file, never written by hand; the importing company may erase one (a person's request).
    owner_path = "registrant_import__organization"
    rules = {VIEW: PARTY & (OWNER | RECEIVER), ADD: NOBODY, CHANGE: NOBODY, DELETE: PARTY & OWNER}
    field_rules = {name: OWNER | related(f"receives {code}") for name, code in PERSONAL_FIELDS.items()}
    relation_words = {
        "owner": "the company that imported it",
        **{
            f"receives {code}": f"the companies the agreed terms give the {code.label.lower()}"
            for code in PERSONAL_FIELDS.values()
        },
    }
    label_related = ("registrant_import",)

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "receiver":
            return Q(pinned_terms_name(actor.organization_id))
        if relation.startswith("receives "):
            return Q(pinned_terms_name(actor.organization_id, relation.removeprefix("receives ")))
        return super().relation_q(relation, actor)


class Registrant(models.Model):
    """One person of an imported registrant export, with only the fields the export has."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="registrants")
    registrant_import = models.ForeignKey(
        RegistrantImport, on_delete=models.CASCADE, related_name="people", verbose_name="import"
    )
    row = models.PositiveIntegerField("row in the file", editable=False)
    source_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="brought by",
        help_text="The company whose tracking link the registrant came through (utm_source); empty for none.",
    )
    email = models.CharField("e-mail address", max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField("phone number", max_length=50, blank=True)
    country = models.CharField(max_length=100, blank=True)
    attended = models.BooleanField(null=True, blank=True, help_text="Empty when the export says nothing of it.")

    objects = RegistrantQuerySet.as_manager()

    class Meta:
        ordering = ["registrant_import_id", "row"]
        indexes = [models.Index(fields=["campaign", "registrant_import"], name="registrant_campaign_import")]

    def __str__(self) -> str:
        return f"Registrant {self.row - 1} of {self.registrant_import.file_name}"
