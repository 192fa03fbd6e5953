"""Lead-sharing terms (issue 29, item 2): before registration opens, the companies agree which of them receives
which registrant fields, the consent text the registration form shows, how long registrant data is kept, and
who follows up first, within how many days.

They are agreed in the campaign's agreement round, with its KPIs (campaigns.models.kpis.KpiRound): a change
withdraws the agreements of an open round and is refused in a locked one, and the terms as agreed are pinned on
the round when it locks (`KpiRound.agreed_lead_terms`). A registration form is approved or published only once
terms are pinned (Deliverable.clean).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from campaigns.models.core import SHARED, SHARED_KEPT, Campaign, CampaignChildQuerySet
from campaigns.models.kickoff import must_be_party
from campaigns.models.kpis import AgreedInRound
from partners.models import Organization
from partners.scoping.versions import Versioned


class RegistrantField(models.TextChoices):
    NAME = "name", "Name"
    EMAIL = "email", "E-mail address"
    COMPANY = "company", "Company"
    JOB_TITLE = "job_title", "Job title"
    PHONE = "phone", "Phone number"
    COUNTRY = "country", "Country"
    ATTENDANCE = "attendance", "Attended or not"


def receivers_key(organization_id: int) -> str:
    """A company's key in pinned terms' `receivers`: not a bare number, which a JSON path reads as a list index."""
    return f"org{organization_id}"


def receivers_of(shares) -> dict[str, dict[str, bool]]:
    """{company key: {field: True}} from (organization id, name, fields) of each receiving company."""
    return {receivers_key(organization_id): dict.fromkeys(fields, True) for organization_id, _, fields in shares}


class LeadSharingTermsQuerySet(CampaignChildQuerySet):
    # Shared work of the parties, like the KPIs; what binds a company is its agreement in the round.
    rules = SHARED_KEPT


class LeadSharingTerms(AgreedInRound, Versioned):
    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="lead_sharing_terms")
    consent_text = models.TextField(
        max_length=2000, help_text="Shown on the registration form, next to the consent box, as written here."
    )
    retention_days = models.PositiveSmallIntegerField(
        "keep registrant data for (days)", validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    first_contact = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="contacts the registrants first",
    )
    follow_up_days = models.PositiveSmallIntegerField(
        "first contact within (days)",
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days after the event; the other company waits until then.",
    )

    history = HistoricalRecords()
    objects = LeadSharingTermsQuerySet.as_manager()

    AGREED_TERMS = ("consent_text", "retention_days", "first_contact_id", "follow_up_days")

    class Meta:
        verbose_name = verbose_name_plural = "lead-sharing terms"

    def __str__(self) -> str:
        return f"Lead-sharing terms of {self.campaign}"

    def clean(self) -> None:
        must_be_party(self.campaign_id, self.first_contact if self.first_contact_id else None, "first_contact")
        self.refuse_if_locked(self.campaign_id)

    def pinned(self) -> dict:
        """The terms as the companies agree them: copied onto the round when it locks. `receivers` says the same
        as `shares`, keyed for the database to read (`receivers_key`): which company reads which registrant
        field (campaigns.models.registrants)."""
        shares = self.shares_by_company()
        return {
            "consent_text": self.consent_text,
            "retention_days": self.retention_days,
            "first_contact": self.first_contact_id,
            "first_contact_name": self.first_contact.name,
            "follow_up_days": self.follow_up_days,
            "shares": [
                {"organization": organization_id, "organization_name": name, "fields": fields}
                for organization_id, name, fields in shares
            ],
            "receivers": receivers_of(shares),
        }

    def shares_by_company(self) -> list[tuple[int, str, list[str]]]:
        by_company: dict[tuple[int, str], list[str]] = {}
        for organization_id, name, field in self.shares.order_by("organization__name", "field").values_list(
            "organization_id", "organization__name", "field"
        ):
            by_company.setdefault((organization_id, name), []).append(field)
        return [(organization_id, name, fields) for (organization_id, name), fields in by_company.items()]


class LeadShareQuerySet(CampaignChildQuerySet):
    campaign_path = "terms__campaign"
    rules = SHARED


class LeadShare(AgreedInRound, Versioned):
    """One registrant field one company receives."""

    terms = models.ForeignKey(LeadSharingTerms, on_delete=models.CASCADE, related_name="shares")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="company receiving it"
    )
    field = models.CharField("registrant field", max_length=16, choices=RegistrantField.choices)

    history = HistoricalRecords()
    objects = LeadShareQuerySet.as_manager()

    AGREED_TERMS = ("organization_id", "field")

    class Meta:
        verbose_name = "registrant field shared"
        verbose_name_plural = "registrant fields shared"
        ordering = ["terms_id", "organization_id", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["terms", "organization", "field"],
                name="lead_share_once",
                violation_error_message="This company already receives this field.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} receives {self.get_field_display().lower()}"

    def clean(self) -> None:
        campaign_id = self.terms.campaign_id if self.terms_id else None
        must_be_party(campaign_id, self.organization if self.organization_id else None, "organization")
        self.refuse_if_locked(campaign_id)
