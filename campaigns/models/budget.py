"""The joint budget (issue 29): what each company plans to spend on a campaign, what its budget owner approved, and
what it committed and spent, with receipts.

A company's budget lines are its own: only it changes them, and its partners see its totals (campaigns.selectors.
budget) but a line, and its receipt, only once the company marks the line shared. Approval is the company's budget
owner's word, pinned to the amount and currency approved: changing either reopens the line.

Amounts are in each line's currency; a rate per currency, typed once per campaign (no live lookups), converts them
into the campaign's reporting currency.
"""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models.assets import private_storage, validate_brand_file
from campaigns.models.core import OWN_PART, PARTY, Campaign, CampaignChildQuerySet, KeptRecordQuerySet, Member
from campaigns.models.kickoff import must_be_party
from campaigns.models.kpis import ISO_4217_CURRENCIES, MONEY_DIGITS
from partners.models import Organization, Person
from partners.scoping import OPEN, OWNER, VIEW, own_company, related
from partners.scoping.versions import Versioned
from utilities.agreed_terms import AgreedTerms
from utilities.validation import validate_single_line

CURRENCY_CHOICES = [(code, code) for code in sorted(ISO_4217_CURRENCIES)]
# No joint campaign's line comes near this; a typo of a few extra zeros is refused rather than reported as spend.
MAX_AMOUNT = Decimal("1000000000")
_AMOUNT_BOUNDS = [
    MinValueValidator(0, "An amount cannot be negative."),
    MaxValueValidator(MAX_AMOUNT, "An amount cannot be above 1,000,000,000: check the number of zeros."),
]

SHARED_LINE = related("shared")  # the company marked the line shared with its partners
APPROVE = "approve"


def _receipt_path(instance: "BudgetLine", filename: str) -> str:
    # A random name: nothing about the campaign or company can be guessed from it.
    return f"private/receipts/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class BudgetLineQuerySet(CampaignChildQuerySet):
    # The paying company's own: its partners see a line only once it is shared (and its totals, through the
    # selector, always). Of the company's people, only its budget owner on the campaign approves.
    owner_path = "organization"
    rules = {**OWN_PART, VIEW: PARTY & (OWNER | SHARED_LINE), APPROVE: PARTY & OWNER & OPEN}
    server_owned = {"organization": own_company}
    relation_words = {"shared": "its partners once it is shared"}
    label_related = ("organization",)

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "shared":
            return Q(is_shared=True)
        return super().relation_q(relation, actor)

    def person_refusal(self, actor, obj, action: str) -> str | None:
        if action != APPROVE:
            return super().person_refusal(actor, obj, action)
        return budget_owner_refusal(obj, Person.objects.filter(user_id=actor.user.pk).first())


def budget_owner_refusal(line: "BudgetLine", person: Person | None) -> str | None:
    """Why `person` may not approve `line` for its company (not its budget owner on the campaign), or None."""
    owners = Member.objects.filter(
        campaign_id=line.campaign_id, person__organization_id=line.organization_id, is_budget_owner=True
    )
    if person is not None and owners.filter(person=person).exists():
        return None
    if not owners.exists():
        return (
            f"Only the budget owner of {line.organization} on this campaign approves its budget lines, and it has "
            "named none: tick “budget owner” for one of its people on the campaign team first."
        )
    names = ", ".join(owners.order_by("person__full_name").values_list("person__full_name", flat=True))
    return f"Only the budget owner of {line.organization} on this campaign ({names}) approves its budget lines."


class BudgetLine(AgreedTerms, Versioned):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned, awaiting approval"
        APPROVED = "approved", "Approved"

    # What the budget owner approves: changing either after approval reopens the line.
    AGREED_TERMS = ("planned_amount", "currency")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="budget_lines")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="company", help_text="Who pays."
    )
    what = models.CharField(max_length=200, validators=[validate_single_line], help_text="e.g. Webinar platform")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    planned_amount = models.DecimalField(**MONEY_DIGITS, validators=_AMOUNT_BOUNDS)
    committed_amount = models.DecimalField(
        **MONEY_DIGITS, default=0, validators=_AMOUNT_BOUNDS, help_text="Ordered or contracted, not yet paid."
    )
    actual_amount = models.DecimalField(
        "actual spend", **MONEY_DIGITS, default=0, validators=_AMOUNT_BOUNDS, help_text="Paid so far."
    )
    receipt = models.FileField(
        upload_to=_receipt_path,
        storage=private_storage,
        blank=True,
        max_length=200,
        help_text="Optional: an invoice or receipt (PDF or image). Seen by your company only, unless the line is "
        "shared.",
    )
    receipt_name = models.CharField(max_length=200, blank=True, editable=False)
    receipt_content_type = models.CharField(max_length=120, blank=True, editable=False)
    is_shared = models.BooleanField(
        "shared with partners",
        default=False,
        help_text="Partners always see your company's totals; tick to show them this line and its receipt too.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False)
    approved_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The terms approved (kept when the line is reopened, to show what the approval was for).
    approved_amount = models.DecimalField(**MONEY_DIGITS, null=True, blank=True, editable=False)
    approved_currency = models.CharField(max_length=3, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "organization__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0) & Q(committed_amount__gte=0) & Q(actual_amount__gte=0),
                name="budget_line_amounts_not_negative",
                violation_error_message="An amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(approved_amount__isnull=False),
                name="budget_line_approval_pinned",
                violation_error_message="An approved line records the amount approved.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.what} ({self.organization}, {self.planned_amount:,.2f} {self.currency})"

    @property
    def approval_text(self) -> str:
        """ "Approved by Sam Weber (5,000.00 EUR)", or what the line waits for, in words."""
        if self.status == self.Status.APPROVED:
            who = self.approved_by.full_name if self.approved_by else "its budget owner"
            return f"Approved by {who} ({self.approved_amount:,.2f} {self.approved_currency})"
        if self.approved_amount is not None:
            return (
                f"Awaiting approval again: {self.approved_amount:,.2f} {self.approved_currency} was approved, "
                "then the amount changed"
            )
        return "Awaiting approval by the budget owner"

    def clean(self) -> None:
        must_be_party(self.campaign_id, self.organization if self.organization_id else None, "organization")
        if self.receipt and not self.receipt._committed:
            name = PurePath(self.receipt.name).name
            try:
                self.receipt_content_type = validate_brand_file(self.receipt, name)
            except ValidationError as error:
                raise ValidationError({"receipt": error.messages}) from None
            self.receipt_name = name

    def save(self, *args, **kwargs):
        # Every door (admin, API, services) saves through here: an approval holds for the terms approved only.
        if self.status == self.Status.APPROVED and not self._state.adding and self.changes_agreed_terms():
            self.status, self.approved_by, self.approved_at = self.Status.PLANNED, None, None
        super().save(*args, **kwargs)


class CampaignBudget(Versioned):
    """The campaign-wide side of the budget: the currency its totals, costs and ROI are reported in."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="budget")
    reporting_currency = models.CharField(
        max_length=3,
        choices=CURRENCY_CHOICES,
        default="EUR",
        help_text="Totals, cost per lead and ROI are shown in this currency; give a rate for every other currency.",
    )

    history = HistoricalRecords()
    objects = KeptRecordQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id"]

    def __str__(self) -> str:
        return f"Budget of {self.campaign} (in {self.reporting_currency})"


class ExchangeRateQuerySet(CampaignChildQuerySet):
    campaign_path = "budget__campaign"


class ExchangeRate(Versioned):
    """What one unit of a currency is worth in the campaign's reporting currency, as the parties typed it."""

    budget = models.ForeignKey(CampaignBudget, on_delete=models.CASCADE, related_name="rates")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[
            MinValueValidator(Decimal("0.00000001"), "A rate must be above zero."),
            MaxValueValidator(Decimal("1000000"), "A rate cannot be above 1,000,000."),
        ],
        help_text="1 unit of this currency in the reporting currency, e.g. 0.92 for USD into EUR.",
    )

    history = HistoricalRecords()
    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        ordering = ["budget_id", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "currency"],
                name="exchange_rate_once_per_currency",
                violation_error_message="This campaign already has a rate for this currency.",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message="A rate must be above zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize():f} {self.budget.reporting_currency}"

    def clean(self) -> None:
        if self.budget_id and self.currency == self.budget.reporting_currency:
            raise ValidationError({"currency": "This is the reporting currency itself: it needs no rate."})
