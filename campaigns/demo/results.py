"""Demo data of results: campaigns that ran, with figures over several weeks, each company's lessons and their
shared results report (built once the seed commits): a spring webinar now in Reporting, and a year-end
webinar closed last quarter."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.demo.core import _add_party, _advance, _campaign, _team
from campaigns.demo.kickoff import _import_registrants, _kpi, _lead_terms, _person
from campaigns.models import Campaign, Deliverable, KpiMeasurement, Learning, RaciAssignment, ResultsReport
from campaigns.services import kpis as kpi_services
from campaigns.services.reports import results_report_build
from partners import demo
from utilities.validation import save_validated


@dataclass(frozen=True)
class Ran:
    """A campaign that ran: who hosted it with whom, its weekly figures per KPI (each reported by one company's
    person), its deliverables (title, due days ago) and each company's lessons; it ends in `status`."""

    name: str
    host: str
    partner: str
    kind: str
    days_ago: tuple[int, int, int]  # kickoff, launch, end
    goals: str
    # KPI code -> (target, reporter's e-mail, weekly values); money in EUR
    figures: dict[str, tuple[str, str, list[str]]]
    deliverables: dict[str, tuple[int, str, int]]  # title -> (due days ago, Responsible's e-mail, days late)
    team: dict[str, list[str]]
    lessons: dict[str, str]
    status: str


SPRING = Ran(
    name="Spring forecasting webinar — joint webinar",
    host="maria@northwind.example",
    partner="jonas@bluefin.example",
    kind=Campaign.Kind.JOINT_WEBINAR,
    days_ago=(70, 14, 7),
    goals="300 registrations and 40 net-new leads from CFOs of mid-sized companies.",
    figures={
        "registrations": ("300", "priya@northwind.example", ["60", "140", "235", "318"]),
        "net_new_leads": ("40", "sofia@bluefin.example", ["8", "19", "31", "36"]),
        "pipeline_value": ("15000", "sofia@bluefin.example", ["0", "4000", "11000", "19000"]),
    },
    deliverables={
        "Landing page": (40, "priya@northwind.example", 0),
        "Invitation e-mail": (30, "priya@northwind.example", 4),
        "Slides": (16, "priya@northwind.example", 0),
    },
    team={
        "maria@northwind.example": ["is_decision_maker"],
        "priya@northwind.example": ["is_project_lead"],
        "jonas@bluefin.example": ["is_decision_maker"],
        "sofia@bluefin.example": ["is_project_lead"],
    },
    lessons={
        "maria@northwind.example": "Registrations came late: start the invitations a week earlier.",
        "jonas@bluefin.example": "Our consultants' personal invitations brought most of the net-new leads.",
    },
    status=Campaign.Status.REPORTING,
)
# Closed last quarter, hosted by Bluefin: one KPI met, one missed, a deliverable late; reported over six weeks.
YEAR_END = Ran(
    name="Year-end close in a week — joint webinar",
    host="jonas@bluefin.example",
    partner="maria@northwind.example",
    kind=Campaign.Kind.JOINT_WEBINAR,
    days_ago=(160, 110, 100),
    goals="250 registrations, 100 attendees and 30 net-new leads among finance teams in the DACH region.",
    figures={
        "registrations": ("250", "lena@bluefin.example", ["35", "80", "130", "180", "226", "261"]),
        "attendees": ("100", "lena@bluefin.example", ["112"]),
        "net_new_leads": ("30", "alex@northwind.example", ["2", "6", "10", "15", "19", "24"]),
    },
    deliverables={
        "Landing page (German)": (135, "lena@bluefin.example", 0),
        "Speaker slides": (116, "tom@northwind.example", 2),
        "Follow-up e-mail": (104, "alex@northwind.example", 0),
    },
    team={
        "jonas@bluefin.example": ["is_decision_maker"],
        "lena@bluefin.example": ["is_project_lead"],
        "maria@northwind.example": ["is_decision_maker"],
        "tom@northwind.example": [],
        "alex@northwind.example": ["is_project_lead"],
    },
    lessons={
        "jonas@bluefin.example": "A German-language landing page doubled sign-ups from the DACH list.",
        "maria@northwind.example": "Our lead handover took two weeks: agree the routing before launch next time.",
    },
    status=Campaign.Status.CLOSED,
)


def _registrant_file(campaign: Campaign, launch: datetime.date) -> None:
    """The webinar platform's export of launch week: the 318 registrations of the last figure, through both
    companies' tracking links and a few through neither, with who attended (its import reports that figure)."""
    sources = ["northwind-analytics"] * 181 + ["bluefin-consulting"] * 124 + [""] * 13
    people = [
        ("Ada", "Lovelace", "Analytical Engines", "CFO"),
        ("Grace", "Hopper", "Cobol Works", "Head of Finance"),
        ("Katherine", "Johnson", "Orbit Analytics", "Controller"),
        ("Alan", "Turing", "Bletchley Data", "VP Finance"),
        ("Hedy", "Lamarr", "Frequency Labs", "FP&A Lead"),
    ]
    rows = "".join(
        f"{first},{last} {number},{first.lower()}.{last.lower()}{number}@example.com,{company},{title},"
        f"{'Yes' if number % 5 < 3 else 'No'},{source}\n"
        for number, source in enumerate(sources)
        for first, last, company, title in [people[number % len(people)]]
    )
    export = f"First Name,Last Name,Email,Organization,Job Title,Attended,utm_source\n{rows}"
    _import_registrants(campaign, export, "zoom_attendee_report.csv", launch)


def _ran(spec: Ran, today: datetime.date) -> Campaign:
    kickoff, launch, end = (today - datetime.timedelta(days=days) for days in spec.days_ago)
    campaign, created = _campaign(
        spec.name, spec.host, kind=spec.kind, kickoff_date=kickoff, launch_date=launch, end_date=end, goals=spec.goals
    )
    if not created:
        return campaign
    _add_party(campaign, spec.host, spec.partner)
    members = _team(campaign, spec.team)
    kpis = {
        code: _kpi(
            campaign, code, target, _person(reporter).organization, currency="EUR" if code == "pipeline_value" else ""
        )
        for code, (target, reporter, _values) in spec.figures.items()
    }
    if spec.kind == Campaign.Kind.JOINT_WEBINAR:  # a webinar's lead-sharing terms are agreed with its KPIs
        _lead_terms(campaign, _person(spec.host).organization, _person(spec.partner).organization)
    for email in (spec.host, spec.partner):  # each company's decision maker agrees to the KPIs at kickoff
        kpi_services.kpi_agree(campaign=campaign, organization=_person(email).organization, person=_person(email))
    for code, (_target, reporter, values) in spec.figures.items():
        kpi = kpis[code]
        for week, value in enumerate(values):  # weekly, the last one in launch week
            period_end = launch - datetime.timedelta(weeks=len(values) - 1 - week)
            save_validated(
                KpiMeasurement(
                    campaign=campaign,
                    kpi=kpi,
                    period_start=period_end - datetime.timedelta(days=6),
                    period_end=period_end,
                    value=Decimal(value),
                    reported_by=_person(reporter),
                )
            )
    if spec is SPRING:
        _registrant_file(campaign, launch)
    for title, (due_days_ago, responsible, days_late) in spec.deliverables.items():
        deliverable = save_validated(
            Deliverable(campaign=campaign, title=title, due_date=today - datetime.timedelta(days=due_days_ago))
        )
        save_validated(RaciAssignment(deliverable=deliverable, member=members[responsible], role="R"))
        save_validated(RaciAssignment(deliverable=deliverable, member=members[spec.host], role="A"))
        deliverable.status = Deliverable.Status.PUBLISHED
        save_validated(deliverable)
        # Its history says when it was done, which the report reads for "on time".
        done = deliverable.due_date + datetime.timedelta(days=days_late)
        deliverable.history.filter(status=Deliverable.Status.PUBLISHED).update(
            history_date=timezone.make_aware(datetime.datetime.combine(done, datetime.time(12)))
        )
    for email, text in spec.lessons.items():
        save_validated(Learning(campaign=campaign, organization=_person(email).organization, text=text))
    _advance(campaign, spec.status)  # through Reporting, which asks for the results report
    return campaign


@demo.register
def seed_results(context: dict[str, Any]) -> None:
    today = timezone.localdate()
    for spec in (SPRING, YEAR_END):
        report = ResultsReport.objects.filter(campaign=_ran(spec, today)).first()
        if report is not None and report.status != ResultsReport.Status.READY:
            # Built once the seed commits (as the worker would), so the demo has it at once.
            transaction.on_commit(partial(results_report_build, report_id=report.pk))
