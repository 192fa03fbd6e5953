"""KPIs agreed on day one, their measurements, and the reporting plan (DOMAIN.md, failures 3 and 4).

Agreement happens in rounds: each party agrees to the campaign's KPI set; when every party has agreed, the
round locks and its terms (target, currency, how figures combine) are copied into `AgreedKpiTarget`. A locked
set changes only after a new round is started (campaigns.services.kpis.kpi_round_start).

Figures: each company reports one figure per KPI and period (cumulative to the period's end; a second one for
the same period replaces the first). A KPI's figure is its companies' latest figures summed, or its owning
company's alone, as the KPI's `combination` says (campaigns.selectors.kpis.with_current_figure).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from campaigns.models.core import OWN_PART, PARTY, Campaign, CampaignChildQuerySet, KeptRecordQuerySet
from campaigns.models.kickoff import OwnCompanyChangeQuerySet, must_be_party
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, own_company, own_person, related, while_open
from partners.scoping.versions import Versioned
from utilities.agreed_terms import AgreedTerms
from utilities.validation import validate_period_span, work_date

# Active ISO 4217 currency codes.
ISO_4217_CURRENCIES = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF
    CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD
    HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD
    LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)

MONEY_DIGITS = {"max_digits": 16, "decimal_places": 2}


def validate_currency(value: str) -> None:
    if value and value not in ISO_4217_CURRENCIES:
        raise ValidationError(
            "“%(value)s” is not a known ISO 4217 currency code. Use three capital letters such as EUR or USD.",
            params={"value": value},
            code="unknown_currency",
        )


class ReportingFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    ONCE = "once", "Once, after the campaign"


class MetricQuerySet(CampaignChildQuerySet):
    # Built-in metrics are readable by everyone and changed by nobody but the operator; a campaign's custom
    # metrics are shared work of its parties.
    rules = {VIEW: related("built-in") | PARTY, ADD: PARTY, CHANGE: PARTY, DELETE: NOBODY}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "built-in":
            return Q(campaign__isnull=True)
        return super().relation_q(relation, actor)


class Combination(models.TextChoices):
    """How the companies' figures of a KPI make its figure."""

    SUM = "sum", "The sum of the companies' figures"
    OWNER = "owner", "The owning company's figure only"


class KpiMeasurementQuerySet(CampaignChildQuerySet):
    # The figures a company's people report are that company's.
    owner_path = "organization"
    rules = OWN_PART
    server_owned = {"kpi": None, "reported_by": own_person}

    def counted(self) -> "KpiMeasurementQuerySet":
        """The figures their KPI counts: every company's for a sum, the owning company's alone otherwise."""
        return self.filter(Q(kpi__combination=Combination.SUM) | Q(organization_id=F("kpi__owner_id")))

    def latest_of_each_company(self) -> "KpiMeasurementQuerySet":
        """Each company's latest figure of each KPI: figures are cumulative, so it is the company's count so far."""
        newer = self.model.objects.filter(
            Q(period_end__gt=OuterRef("period_end")) | Q(period_end=OuterRef("period_end"), pk__gt=OuterRef("pk")),
            kpi_id=OuterRef("kpi_id"),
            organization_id=OuterRef("organization_id"),
        )
        return self.exclude(Exists(newer))


class Metric(Versioned):
    """A metric of the catalog: a built-in one (no campaign) or a custom one defined for one campaign."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        MONEY = "money", "Money"

    class FunnelStage(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        MARKETING = "marketing", "Marketing"
        SALES = "sales", "Sales"

    code = models.SlugField(max_length=50, blank=True, editable=False, help_text="Set for built-in metrics.")
    name = models.CharField(max_length=100)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.COUNT)
    funnel_stage = models.CharField(max_length=10, choices=FunnelStage.choices)
    description = models.TextField(blank=True)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="custom_metrics",
        help_text="The campaign a custom metric was defined for; empty for built-in metrics.",
    )

    history = HistoricalRecords()
    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["funnel_stage", "name"]
        constraints = [
            models.UniqueConstraint(
                "campaign",
                Lower("name"),
                name="metric_name_once_per_campaign",
                violation_error_message="This campaign already has a metric with this name.",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="metric_code_unique",
                violation_error_message="A built-in metric with this code already exists.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_unit_display().lower()}, {self.get_funnel_stage_display().lower()})"

    @property
    def usual_combination(self) -> str:
        """Counts (registrations, attendees, leads) and money add up across companies; percentages do not."""
        return Combination.OWNER if self.unit == self.Unit.PERCENT else Combination.SUM

    def clean(self) -> None:
        if not self.code and not self.campaign_id:
            raise ValidationError({"campaign": "A custom metric belongs to one campaign: choose the campaign."})


class KpiRoundQuerySet(CampaignChildQuerySet):
    # Rounds open with the first KPI or by "request a change" (any party); each company agrees for itself.
    rules = while_open({VIEW: PARTY, ADD: PARTY, CHANGE: NOBODY, DELETE: NOBODY, "agree": PARTY})

    def current(self) -> "KpiRoundQuerySet":
        return self.filter(superseded_at__isnull=True)


class KpiRound(Versioned):
    """One round of agreement on a campaign's KPI set; the newest one is current."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="kpi_rounds")
    number = models.PositiveSmallIntegerField(default=1)
    reason = models.TextField(blank=True, help_text="Why the KPIs are being renegotiated.")
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    agreed_lead_terms = models.JSONField(
        "lead-sharing terms agreed",
        null=True,
        blank=True,
        editable=False,
        help_text="The lead-sharing terms as every company agreed them (copied when the round locked).",
    )
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = KpiRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "KPI agreement round"
        ordering = ["campaign_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="kpi_round_number_unique"),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(superseded_at__isnull=True),
                name="kpi_round_one_current",
                violation_error_message="This campaign already has an open agreement round.",
            ),
        ]

    def __str__(self) -> str:
        state = "locked" if self.locked_at else "open"
        return f"{self.campaign}: KPI round {self.number} ({state})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


def target_text(target, unit: str, currency: str) -> str:
    """A target as people read it: "300", "40 %", "400000 EUR" or "no target"."""
    if target is None:
        return "no target"
    suffix = {Metric.Unit.PERCENT: " %", Metric.Unit.MONEY: f" {currency}"}.get(unit, "")
    return f"{target.normalize():f}{suffix}"


LOCKED_MESSAGE = (
    "Every company agreed to this KPI set, so it is locked. Start a new agreement round to change a target "
    "or add a KPI; the agreed targets stay in the history of the round."
)


class AgreedInRound(AgreedTerms):
    """A row of what the companies agree in the campaign's round (a KPI, the lead-sharing terms): changing one of
    its AGREED_TERMS is refused while the current round is locked, and withdraws the agreements of an open one
    (campaigns.services.kpis.agreed_terms_save)."""

    locked_message = (
        "Every company agreed to these terms in the current agreement round, so they are locked. Start a new "
        "agreement round to change them; what was agreed stays in the history of the round."
    )

    class Meta:
        abstract = True

    def refuse_if_locked(self, campaign_id: int | None) -> None:
        if (
            campaign_id
            and self.changes_agreed_terms()
            and KpiRound.objects.current().filter(campaign_id=campaign_id, locked_at__isnull=False).exists()
        ):
            raise ValidationError(self.locked_message, code="kpis_locked")


class CampaignKpi(AgreedInRound, Versioned):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="kpis")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="campaign_kpis")
    target = models.DecimalField(
        **MONEY_DIGITS, null=True, blank=True, validators=[MinValueValidator(0, "A target cannot be negative.")]
    )
    currency = models.CharField(
        max_length=3, blank=True, validators=[validate_currency], help_text="ISO 4217 code, for money metrics only."
    )
    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", help_text="The company that owns this KPI."
    )
    combination = models.CharField(
        "the KPI's figure is",
        max_length=8,
        choices=Combination.choices,
        blank=True,
        help_text=(
            "How the companies' figures make the KPI's figure. Left empty: as usual for the metric (counts and "
            "money summed, percentages the owning company's)."
        ),
    )
    data_source = models.CharField(max_length=200, blank=True, help_text="Where the numbers come from, e.g. HubSpot.")
    reporting_frequency = models.CharField(
        max_length=10, choices=ReportingFrequency.choices, default=ReportingFrequency.WEEKLY
    )

    history = HistoricalRecords()
    objects = CampaignChildQuerySet.as_manager()

    class Meta:
        verbose_name = "campaign KPI"
        ordering = ["campaign_id", "metric__funnel_stage", "metric__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "metric"],
                name="kpi_metric_once_per_campaign",
                violation_error_message="This campaign already has a KPI for this metric.",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0),
                name="kpi_target_not_negative",
                violation_error_message="A target cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(combination__in=Combination.values),
                name="kpi_combination_known",
                violation_error_message="Say how the companies' figures make the KPI's figure.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name}: {self.target_display}"

    @property
    def target_display(self) -> str:
        return target_text(self.target, self.metric.unit, self.currency)

    @property
    def figure_source(self) -> str:
        """Whose figures the KPI's figure is, in words: "sum of the companies' figures" or "Company A's figure"."""
        if self.combination == Combination.OWNER:
            return f"{self.owner.name}'s figure"
        return "sum of the companies' figures"

    def clean(self) -> None:
        errors = {}
        if self.metric_id:
            if not self.combination:
                self.combination = self.metric.usual_combination
            if self.metric.campaign_id and self.metric.campaign_id != self.campaign_id:
                errors["metric"] = "This custom metric belongs to another campaign."
            if self.metric.unit == Metric.Unit.MONEY and not self.currency:
                errors["currency"] = f"{self.metric.name} is money: give its currency (e.g. EUR or USD)."
            if self.metric.unit != Metric.Unit.MONEY and self.currency:
                errors["currency"] = f"{self.metric.name} is not money; leave the currency empty."
            if self.metric.unit == Metric.Unit.PERCENT and self.target is not None and self.target > 100:
                errors["target"] = "A percentage target cannot be above 100."
        if errors:
            raise ValidationError(errors)
        must_be_party(self.campaign_id, self.owner if self.owner_id else None, "owner")
        self.refuse_if_locked(self.campaign_id)

    # What the parties agree to: a new KPI, or a changed metric, target, currency or combination, changes it.
    AGREED_TERMS = ("metric_id", "target", "currency", "combination")
    locked_message = LOCKED_MESSAGE


class KpiAgreementQuerySet(CampaignChildQuerySet):
    # Made by the "agree" action, for the agreeing company; never edited afterwards.
    campaign_path = "round__campaign"
    owner_path = "organization"
    # Made only by the round's "agree" action, which also snapshots the targets agreed to.
    rules = {VIEW: PARTY, ADD: NOBODY, CHANGE: NOBODY, DELETE: NOBODY}
    server_owned = {"organization": own_company, "agreed_by": own_person}


class KpiAgreement(models.Model):
    """A company's agreement to the KPI set of one round: who agreed, and when."""

    round = models.ForeignKey(KpiRound, on_delete=models.PROTECT, related_name="agreements")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    by_decision_maker = models.BooleanField(
        "as its decision maker",
        null=True,
        editable=False,
        help_text="Whether the company's decision maker agreed, or one of its people while it had named none "
        "(unknown for agreements made before this was recorded).",
    )
    agreed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = KpiAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "KPI agreement"
        ordering = ["round_id", "agreed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"],
                name="kpi_agreement_once_per_company",
                violation_error_message="This company has already agreed to the KPIs of this round.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} agreed ({self.agreed_by.full_name})"

    @property
    def statement(self) -> str:
        """ "Agreed for Northwind by its decision maker Maria Keller": whose word it was."""
        said = f"Agreed for {self.organization} by"
        if self.by_decision_maker:
            return f"{said} its decision maker {self.agreed_by.full_name}"
        if self.by_decision_maker is False:
            return f"{said} {self.agreed_by.full_name} (it had named no decision maker)"
        return f"{said} {self.agreed_by.full_name}"

    def clean(self) -> None:
        if (
            self.round_id
            and self.organization_id
            and not self.round.campaign.parties.filter(organization_id=self.organization_id).exists()
        ):
            raise ValidationError(
                {
                    "organization": (
                        f"{self.organization} is not a party of this campaign, so it cannot agree to its KPIs."
                    )
                }
            )
        if self.agreed_by_id and self.organization_id and self.agreed_by.organization_id != self.organization_id:
            raise ValidationError({"agreed_by": f"Only a person of {self.organization} can agree on its behalf."})


class AgreedKpiTargetQuerySet(CampaignChildQuerySet):
    # Written when a round locks: the record of what was agreed.
    campaign_path = "round__campaign"
    rules = {VIEW: PARTY, ADD: NOBODY, CHANGE: NOBODY, DELETE: NOBODY}


class AgreedKpiTarget(models.Model):
    """A KPI's terms as they stood when every company agreed (copied when a round locks; never changed)."""

    round = models.ForeignKey(KpiRound, on_delete=models.PROTECT, related_name="agreed_targets")
    kpi = models.ForeignKey(CampaignKpi, on_delete=models.SET_NULL, null=True, related_name="agreed_targets")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(**MONEY_DIGITS, null=True)
    currency = models.CharField(max_length=3, blank=True)
    combination = models.CharField("the KPI's figure was", max_length=8, choices=Combination.choices)

    objects = AgreedKpiTargetQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "metric__name"]

    def __str__(self) -> str:
        return f"Round {self.round.number}: {self.metric.name} = {self.target} {self.currency}".strip()


class KpiMeasurement(Versioned):
    """A company's figure of a KPI for a period, cumulative to the end of the period; one per company and period
    (a second report replaces it: campaigns.services.kpis.kpi_figure_record)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="kpi_measurements")
    kpi = models.ForeignKey(CampaignKpi, on_delete=models.PROTECT, related_name="measurements")
    # The reporter's company (set in `clean`): blank only in that no one types it.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", editable=False, blank=True, verbose_name="company"
    )
    period_start = models.DateField(validators=[work_date])
    period_end = models.DateField(validators=[work_date])
    value = models.DecimalField(
        **MONEY_DIGITS, validators=[MinValueValidator(0, "A measured value cannot be negative.")]
    )
    reported_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    crm_import = models.ForeignKey(
        "campaigns.CrmImport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
        editable=False,
        help_text="The CRM export these figures were counted from (a re-upload replaces them).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = KpiMeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = "KPI measurement"
        ordering = ["campaign_id", "-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "organization", "period_start", "period_end"],
                name="kpi_figure_once_per_company_and_period",
                violation_error_message="This company already reported a figure of this KPI for this period.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="kpi_measurement_period_ordered",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="kpi_measurement_not_negative",
                violation_error_message="A measured value cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.metric.name}: {self.value} ({self.period_start} – {self.period_end})"

    def clean(self) -> None:
        if self.reported_by_id:
            self.organization_id = self.reported_by.organization_id  # the figure is its reporter's company's
        if self.kpi_id and self.campaign_id and self.kpi.campaign_id != self.campaign_id:
            raise ValidationError({"kpi": f"This KPI belongs to “{self.kpi.campaign}”, not to this campaign."})
        if (
            self.reported_by_id
            and self.campaign_id
            and not Campaign.objects.filter(
                pk=self.campaign_id, parties__organization_id=self.reported_by.organization_id
            ).exists()
        ):
            raise ValidationError({"reported_by": "Measurements are reported by people of the campaign's companies."})
        if self.kpi_id and self.value is not None and self.kpi.metric.unit == Metric.Unit.PERCENT and self.value > 100:
            raise ValidationError({"value": "A percentage cannot be above 100."})
        validate_period_span(self.period_start, self.period_end)


class ReportingPlan(Versioned):
    """How and how often the companies share data (\"How and how often will we share data?\")."""

    class Method(models.TextChoices):
        DASHBOARD = "dashboard", "Shared dashboard"
        CSV_EXPORT = "csv_export", "CSV export"
        CRM_SYNC = "crm_sync", "CRM sync"
        EMAIL_REPORT = "email_report", "E-mailed report"

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="reporting_plan")
    frequency = models.CharField(max_length=10, choices=ReportingFrequency.choices, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices, blank=True)
    dashboard_link = models.URLField(blank=True)
    first_report_date = models.DateField(null=True, blank=True, validators=[work_date])
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = KeptRecordQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id"]

    def __str__(self) -> str:
        return f"Reporting plan: {self.campaign}"

    def clean(self) -> None:
        if self.method == self.Method.DASHBOARD and not self.dashboard_link:
            raise ValidationError({"dashboard_link": "Give the link of the shared dashboard."})


class ReportingPlanChildQuerySet(OwnCompanyChangeQuerySet):
    # Who reports for a company, and how its CRM statuses map, are that company's answers.
    campaign_path = "plan__campaign"
    own_choices = ("reporter",)


class ReportingPlanReporter(Versioned):
    """Who reports the numbers for one company."""

    plan = models.ForeignKey(ReportingPlan, on_delete=models.PROTECT, related_name="reporters")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()
    objects = ReportingPlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organization"],
                name="reporter_once_per_company",
                violation_error_message="This company already has a reporter in this plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.reporter.full_name}"

    def clean(self) -> None:
        if self.plan_id:
            must_be_party(self.plan.campaign_id, self.organization if self.organization_id else None, "organization")
        if self.reporter_id and self.organization_id and self.reporter.organization_id != self.organization_id:
            raise ValidationError({"reporter": f"The reporter must be a person of {self.organization}."})


class LeadStatusMapping(Versioned):
    """One company's CRM lead status mapped onto the shared stage both companies report in."""

    class SharedStage(models.TextChoices):
        NEW = "new", "New lead"
        WORKING = "working", "Working"
        MQL = "mql", "MQL"
        SQL = "sql", "SQL"
        OPPORTUNITY = "opportunity", "Opportunity"
        WON = "won", "Closed won"
        LOST = "lost", "Closed lost"
        DISQUALIFIED = "disqualified", "Disqualified"

    plan = models.ForeignKey(ReportingPlan, on_delete=models.PROTECT, related_name="lead_status_mappings")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    crm_status = models.CharField(max_length=100, help_text="The status as it is called in this company's CRM.")
    shared_stage = models.CharField(max_length=16, choices=SharedStage.choices)

    history = HistoricalRecords()
    objects = ReportingPlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "shared_stage", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organization", "crm_status"],
                name="lead_status_once_per_company",
                violation_error_message="This CRM status of this company is already mapped.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} “{self.crm_status}” → {self.get_shared_stage_display()}"

    def clean(self) -> None:
        if self.plan_id:
            must_be_party(self.plan.campaign_id, self.organization if self.organization_id else None, "organization")
