"""What a campaign's joint budget adds up to: each company's totals and the campaign's, in its reporting currency,
and what a registration, attendee, lead and pipeline unit cost (from the KPI figures).

Totals are read unscoped on purpose: every party sees each company's totals (the rule on budget lines keeps the
lines themselves, and their receipts, to the paying company until it shares them). Costs use actual spend.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from campaigns.models import BudgetLine, Campaign, CampaignBudget, CampaignKpi, KpiMeasurement
from campaigns.selectors.kpis import with_current_figure

CENT = Decimal("0.01")
# The KPI metrics costs are worked out from (the shipped metrics' codes).
REGISTRATIONS, ATTENDEES, LEADS, PIPELINE = "registrations", "attendees", "net_new_leads", "pipeline_value"
OUTCOMES = {REGISTRATIONS: "registration", ATTENDEES: "attendee", LEADS: "lead", PIPELINE: "pipeline unit"}


def money(amount: Decimal | None, currency: str) -> str:
    """ "1,234 EUR" (cents only when there are any), or "—" when unknown."""
    if amount is None:
        return "—"
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{text} {currency}"


def _per(spend: Decimal, outcome: Decimal | None) -> Decimal | None:
    if not spend or not outcome:
        return None
    return (spend / outcome).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Outcomes:
    """What the spend bought: registrations, attendees, net-new leads and pipeline (in the reporting currency)."""

    figures: dict[str, Decimal] = field(default_factory=dict)  # metric code -> figure, where known
    spend: Decimal = Decimal(0)

    def cost_per(self, code: str) -> Decimal | None:
        return _per(self.spend, self.figures.get(code))

    @property
    def cost_per_lead(self) -> Decimal | None:
        return self.cost_per(LEADS)

    @property
    def roi(self) -> Decimal | None:
        """Pipeline per unit of spend: 3.2 reads "3.2x pipeline on spend"."""
        pipeline = self.figures.get(PIPELINE)
        if not self.spend or pipeline is None:
            return None
        return (pipeline / self.spend).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Totals(Outcomes):
    name: str = "All companies"
    planned: Decimal = Decimal(0)
    approved: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    lines: int = 0
    approved_lines: int = 0

    @property
    def over_plan(self) -> Decimal:
        return max(self.spend - self.planned, Decimal(0))

    def add(self, line: BudgetLine, rate: Decimal) -> None:
        self.planned += line.planned_amount * rate
        self.committed += line.committed_amount * rate
        self.spend += line.actual_amount * rate
        self.lines += 1
        if line.status == BudgetLine.Status.APPROVED:
            self.approved += line.planned_amount * rate
            self.approved_lines += 1


@dataclass
class CompanyBudget(Totals):
    organization_id: int = 0


@dataclass
class BudgetSummary:
    currency: str
    companies: list[CompanyBudget]
    total: Totals
    # "900 USD" per line currency with no rate into the reporting currency: left out of every total.
    unconverted: list[str]

    @property
    def has_lines(self) -> bool:
        return self.total.lines > 0

    @property
    def has_spend(self) -> bool:
        return self.total.spend > 0

    def cost_lines(self) -> list[tuple[str, str]]:
        """("Cost per lead", "41 EUR") for each outcome a cost can be worked out for."""
        return [
            (f"Cost per {label}", money(self.total.cost_per(code), self.currency))
            for code, label in OUTCOMES.items()
            if self.total.cost_per(code) is not None
        ]


def _rates(campaign: Campaign) -> tuple[str, dict[str, Decimal]]:
    budget = CampaignBudget.objects.filter(campaign=campaign).prefetch_related("rates").first()
    if budget is None:
        # Until the parties choose, totals are in the currency the first line was planned in.
        first = campaign.budget_lines.order_by("pk").values_list("currency", flat=True).first()
        currency, rates = first or "EUR", {}
    else:
        currency, rates = budget.reporting_currency, {rate.currency: rate.rate for rate in budget.rates.all()}
    return currency, {**rates, currency: Decimal(1)}


def _figures(campaign: Campaign, rates: dict[str, Decimal]) -> tuple[dict[str, Decimal], dict[int, dict[str, Decimal]]]:
    """The campaign's figure of each outcome KPI, and each company's own latest figures (pipeline converted)."""
    kpis = {
        kpi.pk: kpi
        for kpi in with_current_figure(CampaignKpi.objects.filter(campaign=campaign, metric__code__in=OUTCOMES))
    }
    campaign_figures, by_company = {}, defaultdict(dict)

    def converted(kpi: CampaignKpi, value: Decimal | None) -> Decimal | None:
        if value is None or kpi.metric.code != PIPELINE:
            return value
        rate = rates.get(kpi.currency)
        return value * rate if rate is not None else None

    for kpi in kpis.values():
        value = converted(kpi, kpi.figure)
        if value is not None:
            campaign_figures[kpi.metric.code] = value
    latest = KpiMeasurement.objects.filter(kpi_id__in=kpis).latest_of_each_company()
    for kpi_id, organization_id, value in latest.values_list("kpi_id", "organization_id", "value"):
        kpi = kpis[kpi_id]
        value = converted(kpi, value)
        if value is not None:
            by_company[organization_id][kpi.metric.code] = value
    return campaign_figures, by_company


def budget_summary(campaign: Campaign) -> BudgetSummary:
    """Each party's totals and the campaign's, in the reporting currency, with costs per outcome and ROI."""
    currency, rates = _rates(campaign)
    campaign_figures, company_figures = _figures(campaign, rates)
    companies = {
        party.organization_id: CompanyBudget(name=party.organization.name, organization_id=party.organization_id)
        for party in campaign.parties.select_related("organization").order_by("role", "organization__name")
    }
    total, missing = Totals(figures=campaign_figures), defaultdict(Decimal)
    for line in BudgetLine.objects.filter(campaign=campaign).select_related("organization"):
        rate = rates.get(line.currency)
        if rate is None:
            missing[line.currency] += line.planned_amount
            continue
        company = companies.setdefault(
            line.organization_id, CompanyBudget(name=line.organization.name, organization_id=line.organization_id)
        )
        company.add(line, rate)
        total.add(line, rate)
    for company in companies.values():
        company.figures = company_figures.get(company.organization_id, {})
    for totals in (total, *companies.values()):
        for name in ("planned", "approved", "committed", "spend"):
            setattr(totals, name, getattr(totals, name).quantize(CENT, ROUND_HALF_UP))
    unconverted = [money(amount, code) for code, amount in sorted(missing.items())]
    return BudgetSummary(currency, list(companies.values()), total, unconverted)
