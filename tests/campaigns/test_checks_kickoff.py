import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.checks import kickoff as checks
from campaigns.models import Campaign, Deliverable, KickoffQuestionnaire, RaciAssignment, ReportingPlan, SignoffRequest
from campaigns.outbox.reminders import reminder_sweep
from campaigns.registries.checks import checks as registered_checks
from campaigns.registries.reminder_sources import local_date
from campaigns.registries.reminder_sources import sources as registered_sources
from campaigns.selectors.kpis import reporter_schedules
from campaigns.services import kickoff as kickoff_services
from partners.models import Person
from tests.campaigns.factories import DeliverableFactory, MemberFactory, joint_campaign, member_of
from tests.campaigns.kickoff_factories import agree_all, complete_company_part, kpi, measurement, reporting_plan
from tests.campaigns.sweep_helpers import due_reminders, written
from tests.partners.factories import PersonFactory
from utilities.validation import save_validated

NOW = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)  # a Monday
TODAY = NOW.date()


def found(check, now=NOW):
    return list(check(Campaign.objects.open(), now))


def test_every_check_and_source_is_registered():
    assert {
        "no_reporting_plan",
        "kickoff_incomplete",
        "kpis_not_agreed",
        "tool_access_unconfirmed",
        "signoff_overdue",
        "legal_review_overdue",
        "kpi_report_overdue",
        "kind_kpi_mismatch",
    } <= set(registered_checks)
    assert registered_checks["no_reporting_plan"].severity == "critical"
    assert registered_checks["tool_access_unconfirmed"].severity == "info"
    assert {"signoff_overdue", "kpi_report_due"} <= set(registered_sources)


def test_no_reporting_plan_says_what_is_missing(shared_campaign):
    shared_campaign.kickoff_date = TODAY - datetime.timedelta(days=10)
    shared_campaign.save()
    [finding] = found(checks.find_no_reporting_plan)
    assert finding.campaign_id == shared_campaign.pk
    assert "how often data is shared" in finding.detail and "a KPI with a target" in finding.detail
    reporting_plan(shared_campaign)
    kpi(shared_campaign)
    agree_all(shared_campaign)
    assert found(checks.find_no_reporting_plan) == []


def test_no_reporting_plan_waits_a_week_after_kickoff(shared_campaign):
    shared_campaign.kickoff_date = TODAY - datetime.timedelta(days=3)
    shared_campaign.save()
    assert found(checks.find_no_reporting_plan) == []


def test_kickoff_incomplete_names_the_company_that_has_not_finished(shared_campaign, company_a, alice):
    shared_campaign.kickoff_date = TODAY - datetime.timedelta(days=9)
    shared_campaign.save()
    kickoff_services.kickoff_part_mark_complete(
        part=complete_company_part(shared_campaign, company_a), person=alice.person
    )
    [finding] = found(checks.find_kickoff_incomplete)
    assert finding.subject == f"organization:{shared_campaign.parties.get(role='partner').organization_id}"
    kickoff = TODAY - datetime.timedelta(days=9)
    assert finding.detail == (
        "Company B has not completed its part of the kickoff questionnaire since the kickoff on "
        f"{kickoff:%a} {kickoff.day} {kickoff:%b %Y}."
    )


def test_kpis_not_agreed_close_to_launch(shared_campaign, company_a, alice):
    from campaigns.services.kpis import kpi_agree

    shared_campaign.launch_date = TODAY + datetime.timedelta(days=10)
    shared_campaign.save()
    kpi(shared_campaign)
    kpi_agree(campaign=shared_campaign, organization=company_a, person=alice.person)
    [finding] = found(checks.find_kpis_not_agreed)
    assert finding.detail == "Company B has not agreed to the campaign's KPIs; the campaign launches on Thu 3 Dec 2026."
    shared_campaign.launch_date = TODAY + datetime.timedelta(days=30)
    shared_campaign.save()
    assert found(checks.find_kpis_not_agreed) == []


def test_tool_access_unconfirmed_lists_the_members(shared_campaign, alice):
    save_validated(KickoffQuestionnaire(campaign=shared_campaign, video_meeting_tool="Zoom"))
    kickoff_services.tool_access_confirm(
        member=shared_campaign.members.get(person=alice.person),
        tool="video_meeting",
        has_access=True,
        person=alice.person,
    )
    [finding] = found(checks.find_tool_access_unconfirmed)
    assert finding.detail == "No confirmed access to the campaign's tools for: Carol."


def test_tool_access_unconfirmed_names_each_campaigns_own_members(shared_campaign, alice, company_a, company_b):
    other = joint_campaign(company_a, company_b, name="Autumn webinar")
    for campaign in (shared_campaign, other):
        save_validated(KickoffQuestionnaire(campaign=campaign, video_meeting_tool="Zoom"))
    MemberFactory(campaign=other, person=PersonFactory(organization=company_b, full_name="Dana"))

    by_campaign = {finding.campaign_id: finding.detail for finding in found(checks.find_tool_access_unconfirmed)}

    assert by_campaign == {
        shared_campaign.pk: "No confirmed access to the campaign's tools for: Alice, Carol.",
        other.pk: "No confirmed access to the campaign's tools for: Dana.",
    }


@pytest.fixture
def pending_requests(shared_campaign, alice, bob, carol, company_a):
    complete_company_part(
        shared_campaign, company_a, has_legal_review=True, legal_reviewer=bob.person, legal_turnaround_business_days=2
    )
    deliverable = DeliverableFactory(
        campaign=shared_campaign, title="Landing page", needs_signoff=True, needs_legal_review=True
    )
    save_validated(
        RaciAssignment(deliverable=deliverable, member=shared_campaign.members.get(person=carol.person), role="A")
    )
    save_validated(
        RaciAssignment(deliverable=deliverable, member=shared_campaign.members.get(person=alice.person), role="R")
    )
    deliverable.status = Deliverable.Status.IN_REVIEW
    save_validated(deliverable)
    SignoffRequest.objects.update(due_date=datetime.date(2026, 11, 20))  # last Friday
    return deliverable


def test_overdue_signoff_and_legal_review_are_found(pending_requests):
    [signoff] = found(checks.find_signoff_overdue)
    [legal] = found(checks.find_legal_review_overdue)
    assert signoff.detail == "Sign-off of “Landing page” by Carol was due on Fri 20 Nov 2026 and is still pending."
    assert legal.detail.startswith("Legal review of “Landing page” by Bob")
    SignoffRequest.objects.update(status=SignoffRequest.Status.APPROVED)
    assert found(checks.find_signoff_overdue) == []


def test_signoff_reminders_go_out_at_nine_in_the_reviewers_zone(pending_requests, bob):
    person = bob.person
    person.time_zone = "Asia/Tokyo"
    person.save()
    reminders = {r.person_id: r for r in due_reminders("signoff_overdue", NOW)}
    tokyo = reminders[person.pk]
    assert tokyo.due_at == datetime.datetime(2026, 11, 21, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert tokyo.kind == "signoff_overdue" and "Legal review overdue" in written(tokyo).subject_line
    early = datetime.datetime(2026, 11, 20, 23, tzinfo=datetime.UTC)  # 08:00 Saturday in Tokyo
    assert person.pk not in {r.person_id for r in due_reminders("signoff_overdue", early)}


def test_kpi_report_overdue_until_the_company_reports(shared_campaign, carol):
    plan = reporting_plan(shared_campaign, frequency="weekly", first=datetime.date(2026, 11, 12))
    registrations = kpi(shared_campaign)
    findings = found(checks.find_kpi_report_overdue)
    assert {f.subject for f in findings} == {f"organization:{r.organization_id}" for r in plan.reporters.all()}
    assert "due on Thu 19 Nov 2026" in findings[0].detail
    measurement(registrations, "50", by=carol.person, end=datetime.date(2026, 11, 19))
    assert len(found(checks.find_kpi_report_overdue)) == 1


def test_kpi_report_due_reminds_each_reporter_at_nine_their_time(shared_campaign):
    plan = reporting_plan(shared_campaign, frequency="weekly", first=datetime.date(2026, 11, 16))
    reporter = plan.reporters.first().reporter
    reporter.time_zone = "America/New_York"
    reporter.save()
    at_eight_in_new_york = datetime.datetime(2026, 11, 23, 13, tzinfo=datetime.UTC)
    assert reporter.pk not in {r.person_id for r in checks.kpi_report_due_reminders(at_eight_in_new_york)}
    at_ten = datetime.datetime(2026, 11, 23, 15, tzinfo=datetime.UTC)
    reminder = {r.person_id: r for r in checks.kpi_report_due_reminders(at_ten)}[reporter.pk]
    assert reminder.due_at == datetime.datetime(2026, 11, 23, 9, tzinfo=zoneinfo.ZoneInfo("America/New_York"))


def test_a_kpi_report_reminder_in_the_outbox_is_not_offered_again_but_the_next_report_dates_is(shared_campaign):
    plan = reporting_plan(shared_campaign, frequency="weekly", first=datetime.date(2026, 11, 16))
    reporter = plan.reporters.first().reporter
    assert reporter.pk in {r.person_id for r in checks.kpi_report_due_reminders(NOW)}

    reminder_sweep(now=NOW, enqueue=False)

    assert reporter.pk not in {r.person_id for r in checks.kpi_report_due_reminders(NOW)}
    next_week = NOW + datetime.timedelta(days=7)
    (again,) = [r for r in checks.kpi_report_due_reminders(next_week) if r.person_id == reporter.pk]
    assert local_date(again.due_at, reporter.time_zone) == datetime.date(2026, 11, 30)


def _weekly_plan_on_record_since_before(campaign, *, first: datetime.date):
    """A weekly plan whose plan and reporters were last changed before NOW, as in a running workspace (the
    factories' rows are as new as the wall clock, which is after NOW)."""
    plan = reporting_plan(campaign, frequency="weekly", first=first)
    long_ago = NOW - datetime.timedelta(days=30)
    ReportingPlan.objects.filter(pk=plan.pk).update(updated_at=long_ago)
    Person.objects.filter(pk__in=plan.reporters.values("reporter_id")).update(updated_at=long_ago)
    return plan


def _scheduled_reporters(now: datetime.datetime) -> set[int]:
    schedules = reporter_schedules(Campaign.objects.open(), reminder_kind=checks.KPI_REPORT_DUE, now=now)
    return {schedule.reporter_id for schedule in schedules}


def test_a_reminded_reporters_schedule_is_not_computed_again_until_their_next_report_date_can_come(
    shared_campaign,
):
    plan = _weekly_plan_on_record_since_before(shared_campaign, first=datetime.date(2026, 11, 16))
    reporters = set(plan.reporters.values_list("reporter_id", flat=True))
    assert _scheduled_reporters(NOW) == reporters

    reminder_sweep(now=NOW, enqueue=False)

    assert _scheduled_reporters(NOW + datetime.timedelta(minutes=5)) == set()
    assert _scheduled_reporters(NOW + datetime.timedelta(days=6, hours=18)) == reporters  # Sunday evening


def test_a_reporting_plan_moved_after_a_reminder_reminds_of_its_new_report_date(shared_campaign):
    plan = _weekly_plan_on_record_since_before(shared_campaign, first=datetime.date(2026, 11, 16))
    reporter = plan.reporters.first().reporter
    reminder_sweep(now=NOW, enqueue=False)  # of Monday's report
    tuesday_noon = NOW + datetime.timedelta(days=1)

    with time_machine.travel(tuesday_noon - datetime.timedelta(hours=4), tick=False):
        plan.first_report_date = datetime.date(2026, 11, 24)  # reports on Tuesdays from now on
        save_validated(plan)

    (moved,) = [r for r in checks.kpi_report_due_reminders(tuesday_noon) if r.person_id == reporter.pk]
    assert local_date(moved.due_at, reporter.time_zone) == datetime.date(2026, 11, 24)


def test_a_reporter_who_moves_east_is_reminded_at_nine_in_the_new_time_zone(shared_campaign):
    plan = _weekly_plan_on_record_since_before(shared_campaign, first=datetime.date(2026, 11, 16))
    reporter = plan.reporters.first().reporter
    Person.objects.filter(pk=reporter.pk).update(time_zone="America/New_York")
    reminder_sweep(now=datetime.datetime(2026, 11, 23, 15, tzinfo=datetime.UTC), enqueue=False)  # 10:00 there

    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        reporter.refresh_from_db()
        reporter.time_zone = "Pacific/Auckland"
        save_validated(reporter)

    nine_in_auckland = datetime.datetime(2026, 11, 30, 9, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland"))
    soon_after = nine_in_auckland + datetime.timedelta(minutes=5)  # Sunday 20:05 UTC
    (due,) = [r for r in checks.kpi_report_due_reminders(soon_after) if r.person_id == reporter.pk]
    assert due.due_at == nine_in_auckland


def test_kind_kpi_mismatch_warns_co_marketing_with_sales_kpis(shared_campaign):
    kpi(shared_campaign, "closed_won_value", "50000", currency="USD")
    [finding] = found(checks.find_kind_kpi_mismatch)
    assert "co-marketing, but expecting co-selling results" in finding.detail


def build(campaigns: int, company_a, company_b) -> None:
    for _ in range(campaigns):
        campaign = joint_campaign(
            company_a,
            company_b,
            kickoff_date=TODAY - datetime.timedelta(days=20),
            launch_date=TODAY + datetime.timedelta(days=5),
        )
        a, b = member_of(campaign, company_a), member_of(campaign, company_b)
        save_validated(KickoffQuestionnaire(campaign=campaign, video_meeting_tool="Zoom"))
        kpi(campaign, "pipeline_value", "1000", currency="EUR")
        reporting_plan(campaign, first=datetime.date(2026, 11, 2))
        deliverable = DeliverableFactory(campaign=campaign, needs_signoff=True)
        save_validated(RaciAssignment(deliverable=deliverable, member=a, role="A"))
        save_validated(RaciAssignment(deliverable=deliverable, member=b, role="R"))
        deliverable.status = Deliverable.Status.IN_REVIEW
        save_validated(deliverable)
    SignoffRequest.objects.update(due_date=datetime.date(2026, 11, 2))


def _queries(run) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        results = list(run())
    return len(context.captured_queries), len(results)


@pytest.mark.parametrize(
    "code",
    [
        "no_reporting_plan",
        "kickoff_incomplete",
        "kpis_not_agreed",
        "tool_access_unconfirmed",
        "signoff_overdue",
        "legal_review_overdue",
        "kpi_report_overdue",
        "kind_kpi_mismatch",
    ],
)
def test_each_check_is_one_query_whatever_the_number_of_campaigns(code, company_a, company_b):
    find = registered_checks[code].find
    build(3, company_a, company_b)
    small, _ = _queries(lambda: find(Campaign.objects.open(), NOW))
    build(27, company_a, company_b)
    large, _ = _queries(lambda: find(Campaign.objects.open(), NOW))
    assert small == large == 1


@pytest.mark.parametrize("kind", ["signoff_overdue", "kpi_report_due"])
def test_each_reminder_source_is_one_query(kind, company_a, company_b):
    find = registered_sources[kind].find
    build(3, company_a, company_b)
    small, few = _queries(lambda: find(NOW))
    build(27, company_a, company_b)
    large, many = _queries(lambda: find(NOW))
    assert small == large == 1
    assert many == 10 * few
