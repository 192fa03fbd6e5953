"""Builders for the kickoff, sign-off and KPI tests."""

import datetime
from decimal import Decimal

from campaigns.models import (
    BrandAsset,
    Campaign,
    CampaignKpi,
    CompanyWord,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiMeasurement,
    LeadStatusMapping,
    Metric,
    Party,
    ProductionMilestone,
    RaciAssignment,
    ReportingPlan,
    ReportingPlanReporter,
    SignoffApprover,
    ToolAccess,
)
from campaigns.services import kickoff as kickoff_services
from campaigns.services import kpis as kpi_services
from campaigns.services.signoffs import signoff_requests_create
from partners.models import Organization, Person
from tests.campaigns.factories import DeliverableFactory, joint_campaign, member_of
from tests.partners.factories import PersonFactory
from utilities.validation import save_validated


def metric(code: str) -> Metric:
    return Metric.objects.get(code=code)


def kpi(
    campaign: Campaign, code: str = "registrations", target: str | None = "300", owner=None, **fields
) -> CampaignKpi:
    owner = owner or campaign.parties.order_by("pk").first().organization
    target_value = None if target is None else Decimal(target)
    return kpi_services.kpi_save(
        kpi=CampaignKpi(campaign=campaign, metric=metric(code), target=target_value, owner=owner, **fields)
    )


def person_of(organization: Organization, name: str | None = None) -> Person:
    return PersonFactory(organization=organization, **({"full_name": name} if name else {}))


def agree_all(campaign: Campaign) -> None:
    """Every company agrees, each through its decision maker (or anyone of it while it names none)."""
    for party in campaign.parties.select_related("organization"):
        word = CompanyWord.of(campaign.pk, party.organization)
        person = word.decision_makers[0] if word.decision_makers else person_of(party.organization)
        kpi_services.kpi_agree(campaign=campaign, organization=party.organization, person=person)


def complete_company_part(campaign: Campaign, organization: Organization, **fields) -> KickoffCompanyPart:
    values = {
        "has_legal_review": False,
        "no_brand_assets": True,
        "social_posts_lead_days": 3,
        "web_content_lead_days": 5,
        "nurtures_lead_days": 10,
        "reports_lead_days": 2,
        **fields,
    }
    return save_validated(KickoffCompanyPart(campaign=campaign, organization=organization, **values))


def complete_questionnaire(campaign: Campaign) -> KickoffQuestionnaire:
    """Every question answered: campaign-wide answers, each company's part, KPIs and a reporting plan."""
    questionnaire = save_validated(
        KickoffQuestionnaire(
            campaign=campaign,
            production_process="Draft, review, approve.",
            video_meeting_tool="Zoom",
            file_sharing_tool="Drive",
            file_review_tool="Figma",
        )
    )
    save_validated(ProductionMilestone(questionnaire=questionnaire, title="Landing page live"))
    members = list(campaign.members.select_related("person"))
    save_validated(SignoffApprover(questionnaire=questionnaire, deliverable_type="landing_page", member=members[0]))
    for member in members:
        for tool in ToolAccess.Tool.values:
            save_validated(ToolAccess(member=member, tool=tool, confirmed_by=member.person))
    for party in Party.objects.filter(campaign=campaign).select_related("organization"):
        complete_company_part(campaign, party.organization)
    kpi(campaign)
    save_validated(ReportingPlan(campaign=campaign, frequency="weekly", method="csv_export"))
    return questionnaire


def reporting_plan(
    campaign: Campaign, *, frequency: str = "weekly", first: datetime.date | None = None
) -> ReportingPlan:
    plan = save_validated(
        ReportingPlan(campaign=campaign, frequency=frequency, method="csv_export", first_report_date=first)
    )
    for party in campaign.parties.select_related("organization"):
        save_validated(
            ReportingPlanReporter(plan=plan, organization=party.organization, reporter=person_of(party.organization))
        )
    return plan


def measurement(campaign_kpi: CampaignKpi, value: str, *, by: Person, end: datetime.date) -> KpiMeasurement:
    return save_validated(
        KpiMeasurement(
            campaign=campaign_kpi.campaign,
            kpi=campaign_kpi,
            period_start=end - datetime.timedelta(days=6),
            period_end=end,
            value=Decimal(value),
            reported_by=by,
        )
    )


def link_asset(campaign: Campaign, organization: Organization) -> BrandAsset:
    return save_validated(
        BrandAsset(
            campaign=campaign, organization=organization, kind="logo", title="Logo", link="https://brand.example"
        )
    )


def build(company_a, company_b, campaigns: int) -> None:
    """`campaigns` campaigns of A and B with a row in every kickoff, sign-off and KPI table (for query counts)."""
    for _ in range(campaigns):
        campaign = joint_campaign(company_a, company_b)
        member_of(campaign, company_a)
        member_of(campaign, company_b)
        complete_questionnaire(campaign)
        plan = campaign.reporting_plan
        plan.first_report_date = datetime.date(2026, 11, 2)
        save_validated(plan)
        agree_all(campaign)
        for party in campaign.parties.select_related("organization"):
            reporter = campaign.members.filter(person__organization=party.organization).first().person
            save_validated(ReportingPlanReporter(plan=plan, organization=party.organization, reporter=reporter))
            save_validated(
                LeadStatusMapping(plan=plan, organization=party.organization, crm_status="MQL", shared_stage="mql")
            )
            save_validated(
                BrandAsset(
                    campaign=campaign,
                    organization=party.organization,
                    kind="logo",
                    title="Logo",
                    link="https://x.example",
                )
            )
        the_kpi = campaign.kpis.first()
        measurement(the_kpi, "10", by=campaign.members.first().person, end=datetime.date(2026, 11, 20))
        deliverable = DeliverableFactory(campaign=campaign, needs_signoff=True)
        members = list(campaign.members.all())
        save_validated(RaciAssignment(deliverable=deliverable, member=members[0], role="A"))
        kickoff_services.kickoff_part_get_or_create(campaign=campaign, organization=company_a)
        signoff_requests_create(deliverable=deliverable)
