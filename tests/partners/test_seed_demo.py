import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from campaigns.models import Campaign, Deliverable, RaciAssignment
from campaigns.selectors.plans import campaign_plan
from partners.models import Organization, Person


def counts():
    return [m.objects.count() for m in (Organization, Person, Campaign, Deliverable, RaciAssignment, get_user_model())]


def test_it_is_idempotent_and_realistic(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts() == first
    webinar = Campaign.objects.get(name="Forecasting with real data — joint webinar")
    assert webinar.status == "planning"
    assert webinar.deliverables.count() >= 8
    assert {p.organization.name for p in webinar.parties.all()} == {"Northwind Analytics", "Bluefin Consulting"}
    for organization in Organization.objects.filter(name__in=["Northwind Analytics", "Bluefin Consulting"]):
        assert 4 <= organization.people.filter(user__isnull=False).count() <= 6


def test_each_demo_login_sees_only_its_companys_campaigns(client, db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    seen = {}
    for email in ["maria@northwind.example", "jonas@bluefin.example", "hana@cobalt.example"]:
        assert client.login(request=HttpRequest(), username=email, password="demo-pass-2026")
        page = client.get("/admin/campaigns/campaign/").content.decode()
        seen[email] = {name for name in Campaign.objects.values_list("name", flat=True) if name in page}
        client.logout()
    webinar = "Forecasting with real data — joint webinar"
    pilot = "Bluefin × Cobalt co-selling pilot"
    roundtable = "CFO roundtable Munich — joint event"
    summit = "Cloud data summit — joint event"
    spring = "Spring forecasting webinar — joint webinar"
    playbook = "Planning playbook — co-branded e-book"  # planned from the shipped template
    year_end = "Year-end close in a week — joint webinar"
    assert seen["maria@northwind.example"] == {webinar, roundtable, summit, spring, playbook, year_end}
    assert seen["jonas@bluefin.example"] == {webinar, pilot, roundtable, spring, playbook, year_end}
    assert seen["hana@cobalt.example"] == {pilot}


def test_each_demo_login_is_host_somewhere_and_partner_elsewhere_and_cobalt_has_an_invitation(client, db):
    from campaigns.models import Invitation, Party

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    for company in ["Northwind Analytics", "Bluefin Consulting"]:
        roles = set(Party.objects.filter(organization__name=company).values_list("role", flat=True))
        assert roles == {"host", "partner"}, company
    waiting = Invitation.objects.get(status="pending")
    assert waiting.organization.name == "Cobalt Cloud" and waiting.campaign.name == "Cloud data summit — joint event"
    assert client.login(request=HttpRequest(), username="hana@cobalt.example", password="demo-pass-2026")
    page = client.get(f"/admin/campaigns/invitation/{waiting.pk}/change/").content.decode()
    assert "Cloud data summit" in page and "Northwind Analytics" in page and "Accept" in page


def test_the_demo_has_a_campaign_in_reporting_with_figures_lessons_and_its_results_report(
    db, django_capture_on_commit_callbacks
):
    from campaigns.models import KpiMeasurement, Learning, ResultsReport

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    spring = Campaign.objects.get(name="Spring forecasting webinar — joint webinar")
    assert spring.status == "reporting"
    assert KpiMeasurement.objects.filter(campaign=spring).values("period_end").distinct().count() == 4
    assert Learning.objects.filter(campaign=spring).count() == 2
    report = ResultsReport.objects.get(campaign=spring)
    assert report.status == "ready" and report.pdf and report.csv


def test_the_demo_has_a_closed_campaign_with_figures_charts_and_a_report_stating_each_kpi(
    db, django_capture_on_commit_callbacks
):
    from campaigns.models import KpiMeasurement, ResultsReport
    from campaigns.selectors.results import kpi_results
    from tests.campaigns.test_results_report import pdf_text

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    closed = Campaign.objects.get(name="Year-end close in a week — joint webinar")
    assert closed.status == "closed"
    assert KpiMeasurement.objects.filter(campaign=closed).values("period_end").distinct().count() == 6
    report = ResultsReport.objects.get(campaign=closed)
    assert report.status == "ready" and report.csv
    text = pdf_text(report)
    results = kpi_results(closed)
    assert [result.kpi.metric.name for result in results] == ["Attendees", "Net-new leads", "Registrations"]
    for result in results:
        row = f"{result.kpi.metric.name} {result.kpi.target:.0f} Count {result.actual:.0f} {result.progress} %"
        assert row in text
    assert "2 done on time, 1 late, of 3." in text

    client = Client()
    assert client.login(request=HttpRequest(), username="maria@northwind.example", password="demo-pass-2026")
    home = client.get(f"/admin/campaigns/campaign/{closed.pk}/home/").content.decode()
    assert home.count('class="cockpit-kpi-chart"') == 3 and "results.pdf" in home


def test_the_demo_companies_have_countries_so_plans_skip_their_public_holidays(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    countries = dict(Organization.objects.filter(country__gt="").values_list("name", "country"))
    assert countries == {"Northwind Analytics": "US", "Bluefin Consulting": "DE", "Cobalt Cloud": "JP"}

    webinar = Campaign.objects.get(name="Forecasting with real data — joint webinar")
    mailing = webinar.deliverables.get(title="Invitation e-mails (3 sends)")  # on Bluefin's channel
    # Due Monday 28 Dec 2026: Bluefin's Christmas (Fri 25, Sat 26 Dec in Germany) is not a working day for it.
    Deliverable.objects.filter(pk=mailing.pk).update(due_date=datetime.date(2026, 12, 28))
    plan = next(row for row in campaign_plan(webinar.pk) if row.deliverable.pk == mailing.pk)
    assert plan.owner_name == "Bluefin Consulting"
    assert datetime.date(2026, 12, 25) in plan.days_off and datetime.date(2026, 12, 24) not in plan.days_off
