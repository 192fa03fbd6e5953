"""The shared results report: built in the background as a PDF and a CSV, downloadable by the parties only,
announced to every company's leads once, and asked for by the move to Reporting."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError
from pypdf import PdfReader

import utilities.tasks
from campaigns.models import Campaign, Reminder, ResultsReport
from campaigns.services.core import campaign_transition
from campaigns.services.kpis import kpi_round_start, kpi_save
from campaigns.services.reports import results_report_build, results_report_request, results_report_requeue
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.campaigns.kickoff_factories import agree_all, kpi, measurement
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def webinar(alice, carol, company_a, company_b):
    campaign = joint_campaign(
        company_a,
        company_b,
        name="Forecasting webinar",
        goals="300 registrations, 40 net-new leads.",
        kickoff_date=TODAY - datetime.timedelta(days=40),
        launch_date=TODAY - datetime.timedelta(days=5),
        end_date=TODAY,
    )
    member_of_user(campaign, alice, is_decision_maker=True)
    member_of_user(campaign, carol, is_project_lead=True)
    registrations = kpi(campaign, "registrations", target="300")
    leads = kpi(campaign, "net_new_leads", target="40")
    for weeks_ago, value in ((3, "90"), (2, "180"), (1, "312")):
        measurement(registrations, value, by=carol.person, end=TODAY - datetime.timedelta(weeks=weeks_ago))
    measurement(leads, "27", by=alice.person, end=TODAY - datetime.timedelta(days=3))
    DeliverableFactory(campaign=campaign, title="Landing page", due_date=TODAY - datetime.timedelta(days=20))
    return campaign


def pdf_text(report: ResultsReport) -> str:
    with report.pdf.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def kpi_rows(report: ResultsReport) -> dict[str, list[str]]:
    """The CSV's KPI rows by KPI name: target, actual, progress, reported by, and the note."""
    with report.csv.open("rb") as handle:
        rows = csv.reader(io.StringIO(handle.read().decode()))
        return {row[1]: [*row[2:6], row[9]] for row in rows if row[0] == "kpi"}


def test_the_report_states_each_kpis_target_and_actual_in_the_pdf_and_the_csv(webinar, alice):
    report = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)

    assert report.status == ResultsReport.Status.READY, report.error
    text = pdf_text(report)
    assert "Forecasting webinar" in text and "300 registrations, 40 net-new leads." in text
    assert "Registrations" in text and "300" in text and "312" in text and "104.0 %" in text
    assert "40" in text and "27" in text and "67.5 %" in text
    with report.csv.open("rb") as handle:
        rows = handle.read().decode()
    assert "kpi,Registrations,300.00,312.00,104.0" in rows and "deliverable,Landing page" in rows


def test_every_companys_leads_are_told_once_and_a_second_build_changes_nothing(webinar, alice):
    report = results_report_request(campaign=webinar, user=alice)
    results_report_build(report_id=report.pk)
    results_report_build(report_id=report.pk)

    told = Reminder.objects.filter(kind="results_report", subject=f"results-report:{report.pk}")
    assert sorted(told.values_list("person__full_name", flat=True)) == ["Alice", "Carol"]


def test_only_the_parties_download_it(webinar, alice, carol, charlie):
    report = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)
    url = f"/files/results-reports/{report.pk}/results.pdf"

    assert admin_of(carol).get(url).status_code == 200
    assert admin_of(charlie).get(url).status_code == 404
    assert admin_of(charlie).get(f"/files/results-reports/{report.pk}/results.csv").status_code == 404
    change = "/admin/campaigns/resultsreport/{}/change/"
    assert (
        admin_of(charlie).get(change.format(report.pk)).url == admin_of(charlie).get(change.format(0)).url
    )  # as if missing
    assert admin_of(alice).get(f"/files/results-reports/{report.pk}/results.csv")["Content-Type"].startswith("text/csv")
    assert api_of(charlie).get(f"/api/results-reports/{report.pk}/").status_code == 404
    assert api_of(carol).get(f"/api/results-reports/{report.pk}/").json()["pdf_url"].endswith("/results.pdf")


def test_moving_to_reporting_asks_for_the_report(webinar, alice, django_capture_on_commit_callbacks):
    Campaign.objects.filter(pk=webinar.pk).update(status=Campaign.Status.EXECUTION)
    webinar.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=False):
        campaign_transition(campaign=Campaign.objects.get(pk=webinar.pk), status=Campaign.Status.REPORTING, user=alice)

    assert ResultsReport.objects.filter(campaign=webinar, status=ResultsReport.Status.PENDING).count() == 1


def test_a_party_asks_for_one_from_the_home_page_or_the_api_and_an_outsider_cannot(webinar, alice, carol, charlie):
    home = admin_of(carol).get(f"/admin/campaigns/campaign/{webinar.pk}/home/").content.decode()
    assert "Build the results report now" in home and "KPIs over time" in home and home.count("<svg") >= 3

    assert admin_of(carol).post(f"/admin/campaigns/campaign/{webinar.pk}/results-report/").status_code == 302
    assert admin_of(charlie).post(f"/admin/campaigns/campaign/{webinar.pk}/results-report/").status_code == 404
    assert api_of(alice).post("/api/results-reports/", {"campaign": webinar.pk}, format="json").status_code == 201
    assert api_of(charlie).post("/api/results-reports/", {"campaign": webinar.pk}, format="json").status_code == 400
    assert ResultsReport.objects.filter(campaign=webinar).count() == 2


def test_the_report_prints_the_agreed_targets_and_marks_a_target_changed_since(webinar, alice, carol):
    """Round 1 agreed 300 registrations; round 2 raised it to 900, and not every company has agreed since."""
    agree_all(webinar)
    kpi_round_start(campaign=webinar, user=alice, reason="Twice the ad budget")
    registrations = webinar.kpis.get(metric__code="registrations")
    registrations.target = Decimal("900")
    kpi_save(kpi=registrations)

    report = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)

    text = " ".join(pdf_text(report).split())
    assert "agreed 300, now 900, not re-agreed" in text
    assert "104.0 %" in text and "34.7 %" not in text  # 312 against the agreed 300, not against 900
    assert kpi_rows(report) == {
        "Registrations": [
            "300.00",
            "312.00",
            "104.0",
            "Carol (Company B)",
            "sum of the companies' figures; agreed 300, now 900, not re-agreed",
        ],
        "Net-new leads": ["40.00", "27.00", "67.5", "Alice (Company A)", "sum of the companies' figures"],
    }
    home = admin_of(carol).get(f"/admin/campaigns/campaign/{webinar.pk}/home/").content.decode()
    assert "agreed 300, now 900, not re-agreed" in home


def test_a_kpi_never_agreed_to_is_marked_so_in_the_report(webinar, alice):
    report = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)

    assert kpi_rows(report)["Registrations"][-1] == "sum of the companies' figures; not agreed yet"


def test_a_report_asked_for_while_the_broker_is_down_is_built_once_by_the_sweep(
    webinar, alice, carol, monkeypatch, settings, django_capture_on_commit_callbacks
):
    def broker_down(task_name, args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(utilities.tasks, "_send", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        asked = admin_of(carol).post(f"/admin/campaigns/campaign/{webinar.pk}/results-report/")
        answer = api_of(alice).post("/api/results-reports/", {"campaign": webinar.pk}, format="json")
    assert asked.status_code == 302 and answer.status_code == 201 and answer.json()["status"] == "pending"
    assert "Being built" in admin_of(carol).get(f"/admin/campaigns/campaign/{webinar.pk}/home/").content.decode()
    first, second = ResultsReport.objects.order_by("pk")

    offered = []
    monkeypatch.setattr(utilities.tasks, "_send", lambda task_name, args: offered.append((task_name, *args)))
    now = timezone.now()
    assert results_report_requeue(now=now) == []  # its message may still be on its way
    later = now + datetime.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert results_report_requeue(now=later) == [first.pk, second.pk]
    assert offered == [("campaigns.build_results_report", first.pk), ("campaigns.build_results_report", second.pk)]

    # Offered twice (a second sweep, or the first message arriving after all): built once, the leads told once.
    for _, report_id in offered * 2:
        results_report_build(report_id=report_id)
    first.refresh_from_db()
    assert first.status == ResultsReport.Status.READY and first.pdf
    assert Reminder.objects.filter(subject=f"results-report:{first.pk}").count() == 2  # alice and carol, once
    assert results_report_requeue(now=later + datetime.timedelta(hours=1)) == []


def test_a_build_taken_by_a_worker_that_died_is_offered_again_and_a_live_one_is_not(webinar, alice, settings):
    report = results_report_request(campaign=webinar, user=alice)
    taken = timezone.now()
    ResultsReport.objects.filter(pk=report.pk).update(build_started_at=taken)
    assert results_report_build(report_id=report.pk).status == ResultsReport.Status.PENDING  # another worker has it
    assert results_report_requeue(now=taken + datetime.timedelta(seconds=60)) == []

    dead = taken + datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS + 1)
    assert results_report_requeue(now=dead) == [report.pk]
    assert results_report_build(report_id=report.pk, now=dead).status == ResultsReport.Status.READY
