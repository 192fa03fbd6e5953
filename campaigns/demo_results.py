"""Demo data of results: a spring webinar that ran, now in Reporting, with figures over several weeks, each
company's lessons and its shared results report (built once the seed commits)."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.demo_data import _add_party, _advance, _campaign, _team
from campaigns.demo_kickoff import _kpi, _person
from campaigns.models import Campaign, Deliverable, KpiMeasurement, Learning, RaciAssignment, ResultsReport
from campaigns.services.reports import results_report_build
from comarketing.validation import save_validated
from partners import demo

NAME = "Spring forecasting webinar — joint webinar"
WEEKLY_REGISTRATIONS = ["60", "140", "235", "318"]
WEEKLY_LEADS = ["8", "19", "31", "36"]


def _ran(today: datetime.date) -> Campaign:
    campaign, created = _campaign(
        NAME,
        "maria@northwind.example",
        kind=Campaign.Kind.JOINT_WEBINAR,
        kickoff_date=today - datetime.timedelta(days=70),
        launch_date=today - datetime.timedelta(days=14),
        end_date=today - datetime.timedelta(days=7),
        goals="300 registrations and 40 net-new leads from CFOs of mid-sized companies.",
    )
    if not created:
        return campaign
    _add_party(campaign, "maria@northwind.example", "jonas@bluefin.example")
    members = _team(campaign, {"maria@northwind.example": ["is_decision_maker"], "priya@northwind.example": ["is_project_lead"],
                     "jonas@bluefin.example": ["is_decision_maker"], "sofia@bluefin.example": ["is_project_lead"]})
    registrations = _kpi(campaign, "registrations", "300", _person("maria@northwind.example").organization)
    leads = _kpi(campaign, "net_new_leads", "40", _person("jonas@bluefin.example").organization)
    for week, (registered, new_leads) in enumerate(zip(WEEKLY_REGISTRATIONS, WEEKLY_LEADS)):
        end = campaign.launch_date - datetime.timedelta(weeks=3 - week)
        for kpi, value, email in ((registrations, registered, "priya@northwind.example"),
                                  (leads, new_leads, "sofia@bluefin.example")):
            save_validated(KpiMeasurement(campaign=campaign, kpi=kpi, period_start=end - datetime.timedelta(days=6),
                                          period_end=end, value=Decimal(value), reported_by=_person(email)))
    for title, due in (("Landing page", 40), ("Invitation e-mail", 30), ("Slides", 16)):
        deliverable = save_validated(Deliverable(campaign=campaign, title=title, due_date=today - datetime.timedelta(days=due)))
        save_validated(RaciAssignment(deliverable=deliverable, member=members["priya@northwind.example"], role="R"))
        save_validated(RaciAssignment(deliverable=deliverable, member=members["maria@northwind.example"], role="A"))
        deliverable.status = Deliverable.Status.PUBLISHED
        save_validated(deliverable)
    for email, text in (
        ("maria@northwind.example", "Registrations came late: start the invitations a week earlier."),
        ("jonas@bluefin.example", "Our consultants' personal invitations brought most of the net-new leads."),
    ):
        person = _person(email)
        save_validated(Learning(campaign=campaign, organization=person.organization, text=text))
    _advance(campaign, Campaign.Status.REPORTING)  # which asks for the results report
    return campaign


@demo.register
def seed_results(context: dict[str, Any]) -> None:
    campaign = _ran(timezone.localdate())
    report = ResultsReport.objects.filter(campaign=campaign).first()
    if report is not None and report.status != ResultsReport.Status.READY:
        # Built once the seed commits (as the worker would), so the demo has it at once.
        transaction.on_commit(lambda: results_report_build(report_id=report.pk))
