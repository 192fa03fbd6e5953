"""What a campaign's joint budget adds up to: each company's totals and the campaign's, in its reporting currency,
and what a registration, attendee, lead and pipeline unit cost (from the KPI figures).

Totals are read unscoped on purpose: every party sees each company's totals (the rule on budget lines keeps the
lines themselves, and their receipts, to the paying company until it shares them). Costs use actual spend.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from campaigns.models import BudgetLine, Campaign, CampaignBudget, CampaignKpi, KpiMeasurement, Party
from campaigns.selectors.kpis import with_current_figure
from campaigns.selectors.results import KpiResult

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
            for code, label in {**OUTCOMES, PIPELINE: f"{self.currency} of pipeline"}.items()
            if self.total.cost_per(code) is not None
        ]


def _reporting_currency(budget: CampaignBudget | None, lines: list[BudgetLine]) -> str:
    if budget is not None:
        return budget.reporting_currency
    # Until the parties choose, totals are in the currency the first line was planned in.
    return lines[0].currency if lines else "EUR"


def budget_summaries(campaign_ids: list[int]) -> dict[int, BudgetSummary]:
    """Each campaign's summary by id, in a fixed number of queries whatever the number of campaigns: every party's
    totals and the campaign's, in its reporting currency, with costs per outcome and ROI."""
    budgets = {
        budget.campaign_id: budget
        for budget in CampaignBudget.objects.filter(campaign_id__in=campaign_ids).prefetch_related("rates")
    }
    lines = defaultdict(list)
    for line in BudgetLine.objects.filter(campaign_id__in=campaign_ids).select_related("organization").order_by("pk"):
        lines[line.campaign_id].append(line)
    parties = defaultdict(list)
    for party in (
        Party.objects.filter(campaign_id__in=campaign_ids)
        .select_related("organization")
        .order_by("role", "organization__name")
    ):
        parties[party.campaign_id].append(party)
    kpis = {
        kpi.pk: kpi
        for kpi in with_current_figure(
            CampaignKpi.objects.filter(campaign_id__in=campaign_ids, metric__code__in=OUTCOMES)
        )
    }
    latest = defaultdict(list)  # campaign id -> (kpi, company id, its latest figure)
    for kpi_id, organization_id, value in (
        KpiMeasurement.objects.filter(kpi_id__in=kpis)
        .latest_of_each_company()
        .values_list("kpi_id", "organization_id", "value")
    ):
        latest[kpis[kpi_id].campaign_id].append((kpis[kpi_id], organization_id, value))
    by_campaign = defaultdict(list)
    for kpi in kpis.values():
        by_campaign[kpi.campaign_id].append(kpi)
    summaries = {}
    for campaign_id in campaign_ids:
        budget = budgets.get(campaign_id)
        currency = _reporting_currency(budget, lines[campaign_id])
        rates = {rate.currency: rate.rate for rate in budget.rates.all()} if budget else {}
        rates[currency] = Decimal(1)
        summaries[campaign_id] = _summary(
            currency, rates, parties[campaign_id], lines[campaign_id], by_campaign[campaign_id], latest[campaign_id]
        )
    return summaries


def _converted(kpi: CampaignKpi, value: Decimal | None, rates: dict[str, Decimal]) -> Decimal | None:
    """A figure as costs read it: pipeline in the reporting currency (unknown without a rate)."""
    if value is None or kpi.metric.code != PIPELINE:
        return value
    rate = rates.get(kpi.currency)
    return value * rate if rate is not None else None


def _summary(currency, rates, parties, lines, kpis, latest) -> BudgetSummary:
    figures = {kpi.metric.code: _converted(kpi, kpi.figure, rates) for kpi in kpis}
    total = Totals(figures={code: value for code, value in figures.items() if value is not None})
    companies = {
        party.organization_id: CompanyBudget(name=party.organization.name, organization_id=party.organization_id)
        for party in parties
    }
    for kpi, organization_id, value in latest:
        value = _converted(kpi, value, rates)
        if organization_id in companies and value is not None:
            companies[organization_id].figures[kpi.metric.code] = value
    missing = defaultdict(Decimal)
    for line in lines:
        rate = rates.get(line.currency)
        if rate is None:
            missing[line.currency] += line.planned_amount
            continue
        company = companies.setdefault(
            line.organization_id, CompanyBudget(name=line.organization.name, organization_id=line.organization_id)
        )
        company.add(line, rate)
        total.add(line, rate)
    for totals in (total, *companies.values()):
        for name in ("planned", "approved", "committed", "spend"):
            setattr(totals, name, getattr(totals, name).quantize(CENT, ROUND_HALF_UP))
    unconverted = [money(amount, code) for code, amount in sorted(missing.items())]
    return BudgetSummary(currency, list(companies.values()), total, unconverted)


def budget_summary(campaign: Campaign) -> BudgetSummary:
    return budget_summaries([campaign.pk])[campaign.pk]


def totals_row(totals: Totals, currency: str) -> dict[str, str]:
    """A company's (or the campaign's) totals as people read them, for the home page and the report."""
    return {
        "name": totals.name,
        "planned": money(totals.planned, currency),
        "approved": f"{money(totals.approved, currency)} ({totals.approved_lines} of {totals.lines} lines)",
        "committed": money(totals.committed, currency),
        "spend": money(totals.spend, currency),
        "over_plan": money(totals.over_plan, currency) if totals.over_plan else "",
        "cost_per_lead": money(totals.cost_per_lead, currency),
        "roi": f"{totals.roi}x" if totals.roi is not None else "—",
    }


def executive_summary(kpis: list[KpiResult], budget: BudgetSummary) -> str:
    """The results report's first line, from real figures: "2 of 3 KPIs met, cost per lead 41 EUR, 3.2x pipeline
    on spend", saying what is not known rather than leaving it out."""
    agreed = [result for result in kpis if result.terms.target is not None]
    noun = "KPI" if len(agreed) == 1 else "KPIs"
    parts = [f"{sum(result.met for result in agreed)} of {len(agreed)} {noun} met" if agreed else "no KPI agreed"]
    if not budget.has_spend:
        parts.append("no spend recorded")
    else:
        cost = budget.total.cost_per_lead
        parts.append(f"cost per lead {money(cost, budget.currency)}" if cost is not None else "no leads to cost")
        roi = budget.total.roi
        parts.append(f"{roi}x pipeline on spend" if roi is not None else "no pipeline reported")
    return ", ".join(parts)


def _joined(by_currency: dict[str, Outcomes], text) -> str:
    said = [text(outcomes, currency) for currency, outcomes in sorted(by_currency.items())]
    return " + ".join(part for part in said if part) or "—"


def _spend_text(outcomes: Outcomes, currency: str) -> str:
    return money(outcomes.spend, currency) if outcomes.spend else ""


def _cost_text(outcomes: Outcomes, currency: str) -> str:
    return money(outcomes.cost_per_lead, currency) if outcomes.cost_per_lead is not None else ""


def _roi_text(outcomes: Outcomes, currency: str) -> str:
    return f"{outcomes.roi}x" if outcomes.roi is not None else ""


def partner_money(shared: dict[tuple[int, int], set[int]]) -> dict[tuple[int, int], dict[str, str]]:
    """A scorecard measure: over the campaigns a vendor and a partner share, the partner's spend, cost per lead and
    pipeline on spend, and the same for both companies together; summed per reporting currency (campaigns reported
    in different currencies are not added up)."""
    summaries = budget_summaries(sorted(set().union(*shared.values())) if shared else [])
    found = {}
    for (vendor, partner), campaign_ids in shared.items():
        own, both = defaultdict(Outcomes), defaultdict(Outcomes)
        for campaign_id in campaign_ids:
            summary = summaries[campaign_id]
            company = next((c for c in summary.companies if c.organization_id == partner), None)
            for sums, totals in ((own, company), (both, summary.total)):
                if totals is None:
                    continue
                into = sums[summary.currency]
                into.spend += totals.spend
                for code in (LEADS, PIPELINE):
                    if code in totals.figures:
                        into.figures[code] = into.figures.get(code, Decimal(0)) + totals.figures[code]
        found[(vendor, partner)] = {
            "partner_spend": _joined(own, _spend_text),
            "partner_cost_per_lead": _joined(own, _cost_text),
            "partner_roi": _joined(own, _roi_text),
            "spend": _joined(both, _spend_text),
            "cost_per_lead": _joined(both, _cost_text),
            "roi": _joined(both, _roi_text),
        }
    return found
