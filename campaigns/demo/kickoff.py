"""Demo data of the kickoff: a half-answered questionnaire, KPIs agreed by one company only, a pending legal
review, and a reporting plan on the pilot but none on the webinar (so the flags have something to show)."""

import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone

from campaigns.models import (
    BrandAsset,
    Campaign,
    CampaignKpi,
    Deliverable,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiMeasurement,
    LeadShare,
    LeadSharingTerms,
    Member,
    Metric,
    ProductionMilestone,
    RegistrantField,
    ReportingPlan,
    ReportingPlanReporter,
    SignoffApprover,
)
from campaigns.services import kickoff as kickoff_services
from campaigns.services import kpis as kpi_services
from campaigns.services import registrants as registrant_services
from partners import demo
from partners.models import Person
from utilities.validation import save_validated


def _person(email: str) -> Person:
    return Person.objects.get(email__iexact=email)


def _kpi(campaign: Campaign, code: str, target: str, owner, currency: str = "", source: str = "") -> CampaignKpi:
    return kpi_services.kpi_save(
        kpi=CampaignKpi(
            campaign=campaign,
            metric=Metric.objects.get(code=code),
            target=Decimal(target),
            currency=currency,
            owner=owner,
            data_source=source,
        )
    )


def _answer(row, **answers):
    for name, value in answers.items():
        setattr(row, name, value)
    return save_validated(row)


def _questionnaire(campaign: Campaign, **answers) -> KickoffQuestionnaire:
    """The campaign's questionnaire (made with the campaign) with the demo's answers."""
    return _answer(kickoff_services.questionnaire_get_or_create(campaign=campaign), **answers)


def _part(campaign: Campaign, organization, **answers) -> KickoffCompanyPart:
    """A company's part of the kickoff (started when it joined) with the demo's answers."""
    return _answer(kickoff_services.kickoff_part_get_or_create(campaign=campaign, organization=organization), **answers)


def _webinar(webinar: Campaign, vendor, partner) -> None:
    today = timezone.localdate()
    questionnaire = _questionnaire(
        webinar,
        production_process="Northwind drafts, Bluefin reviews in Filestage, both legal teams approve the final.",
        video_meeting_tool="Zoom",
        video_meeting_link="https://zoom.example/j/424242",
        file_sharing_tool="Google Drive",
        file_sharing_link="https://drive.example/forecasting-webinar",
    )
    for title, days in (("Abstract and speakers agreed", -7), ("Landing page live", 2), ("Dry run", 18)):
        save_validated(
            ProductionMilestone(questionnaire=questionnaire, title=title, due_date=today + datetime.timedelta(days))
        )
    for email in ("priya@northwind.example", "sofia@bluefin.example"):
        member = Member.objects.get(campaign=webinar, person__email=email)
        save_validated(
            SignoffApprover(questionnaire=questionnaire, deliverable_type=Deliverable.Type.LANDING_PAGE, member=member)
        )
    _part(
        webinar,
        vendor,
        has_legal_review=True,
        legal_reviewer=_person("sam@northwind.example"),
        legal_turnaround_business_days=3,
        social_posts_process="Scheduled in Hootsuite by marketing ops.",
        social_posts_lead_days=3,
        web_content_lead_days=5,
        nurtures_lead_days=10,
        reports_lead_days=2,
    )
    save_validated(
        BrandAsset(
            campaign=webinar,
            organization=vendor,
            kind=BrandAsset.Kind.GUIDELINES,
            title="Northwind brand portal",
            link="https://brand.northwind.example",
        )
    )
    kickoff_services.kickoff_part_mark_complete(
        part=KickoffCompanyPart.objects.get(campaign=webinar, organization=vendor),
        person=_person("priya@northwind.example"),
    )
    _part(webinar, partner, has_legal_review=False, social_posts_lead_days=2)

    _kpi(webinar, "registrations", "300", vendor, source="Northwind HubSpot")
    _kpi(webinar, "attendees", "120", vendor, source="Zoom webinar report")
    _kpi(webinar, "icp_leads", "40", partner, source="Bluefin Salesforce")
    _lead_terms(webinar, vendor, partner)
    kpi_services.kpi_agree(campaign=webinar, organization=vendor, person=_person("maria@northwind.example"))
    _registrants(webinar, today)

    # The landing page is in review: sign-offs and Northwind's legal review are requested, still pending.
    landing_page = Deliverable.objects.get(campaign=webinar, type=Deliverable.Type.LANDING_PAGE)
    landing_page.needs_signoff = True
    landing_page.needs_legal_review = True
    save_validated(landing_page)


def _lead_terms(webinar: Campaign, vendor, partner) -> None:
    """Northwind hosts the registration page and calls first; Bluefin gets the contacts it needs to follow up."""
    terms = kpi_services.agreed_terms_save(
        row=LeadSharingTerms(
            campaign=webinar,
            consent_text=(
                "I agree that Northwind Analytics and Bluefin Consulting may contact me about this webinar and "
                "related services. I can withdraw my consent at any time."
            ),
            retention_days=365,
            first_contact=vendor,
            follow_up_days=5,
        ),
        campaign=webinar,
    )
    fields = {vendor: RegistrantField.values, partner: ["name", "email", "company", "job_title", "attendance"]}
    for organization, names in fields.items():
        for name in names:
            kpi_services.agreed_terms_save(
                row=LeadShare(terms=terms, organization=organization, field=name), campaign=webinar
            )


def _registrants(webinar: Campaign, today: datetime.date) -> None:
    """Registrations so far, from the Zoom export: most through Northwind's link, some through Bluefin's, a few
    from neither. The registration page's link gives each company its tracking link."""
    form = Deliverable.objects.get(campaign=webinar, type=Deliverable.Type.REGISTRATION_FORM)
    form.link = "https://events.northwind.example/forecasting-webinar"
    save_validated(form)
    sources = ["northwind-analytics"] * 96 + ["bluefin-consulting"] * 58 + [""] * 7
    rows = "".join(
        f"Registrant {number},Demo,registrant{number}@example.com,Example Co,approved,{source}\n"
        for number, source in enumerate(sources)
    )
    export = f"First Name,Last Name,Email,Organization,Approval Status,Source Name\n{rows}"
    _import_registrants(webinar, export, "zoom_registration_report.csv", today)


def _import_registrants(campaign: Campaign, export: str, file_name: str, period_end: datetime.date) -> None:
    """A webinar platform's export of the week to `period_end`, imported by Northwind's marketing manager."""
    registrant_services.registrants_import(
        campaign=campaign,
        person=_person("priya@northwind.example"),
        stream=io.BytesIO(export.encode()),
        file_name=file_name,
        period_start=period_end - datetime.timedelta(days=6),
        period_end=period_end,
    )


def _pilot(pilot: Campaign, partner, third) -> None:
    today = timezone.localdate()
    _questionnaire(pilot, video_meeting_tool="Teams", file_sharing_tool="Box")
    _kpi(pilot, "sqls", "6", partner, source="Bluefin Salesforce")
    pipeline = _kpi(pilot, "pipeline_value", "400000", third, currency="EUR", source="Cobalt Salesforce")
    kpi_services.kpi_agree(campaign=pilot, organization=partner, person=_person("jonas@bluefin.example"))
    kpi_services.kpi_agree(campaign=pilot, organization=third, person=_person("hana@cobalt.example"))
    plan = save_validated(
        ReportingPlan(
            campaign=pilot,
            frequency="biweekly",
            method=ReportingPlan.Method.DASHBOARD,
            dashboard_link="https://dashboards.example/bluefin-cobalt",
            first_report_date=today - datetime.timedelta(days=3),
        )
    )
    save_validated(ReportingPlanReporter(plan=plan, organization=partner, reporter=_person("erik@bluefin.example")))
    save_validated(ReportingPlanReporter(plan=plan, organization=third, reporter=_person("ben@cobalt.example")))
    save_validated(
        KpiMeasurement(
            campaign=pilot,
            kpi=pipeline,
            period_start=today - datetime.timedelta(days=7),
            period_end=today,
            value=Decimal("120000"),
            reported_by=_person("ben@cobalt.example"),
            note="Two opportunities in DACH.",
        )
    )


@demo.register
def seed_kickoff(context: dict[str, Any]) -> None:
    webinar, pilot = context["webinar"], context["pilot"]
    # Every campaign has its questionnaire from the start: the demo's answers are in once a tool is named.
    answered = KickoffQuestionnaire.objects.exclude(video_meeting_tool="")
    if not answered.filter(campaign=webinar).exists():
        _webinar(webinar, context["vendor"], context["partner"])
    if not answered.filter(campaign=pilot).exists():
        _pilot(pilot, context["partner"], context["third"])
