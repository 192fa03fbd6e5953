import datetime
import gc
import weakref

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import DateField, Value

from campaigns.models import Campaign, Deliverable, Flag
from campaigns.registries import checks as health
from campaigns.registries.reminder_sources import DayLabel, day_label, short_day_label
from campaigns.services.health import flag_acknowledge, flag_snooze, health_sweep
from tests.campaigns.factories import member_of
from tests.campaigns.sweep_helpers import (
    ALL_ROLES,
    UTC,
    assigned_deliverable,
    core_checks_only,  # noqa: F401  (fixture)
    healthy_campaign,
)
from tests.partners.factories import OrganizationFactory

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]


def open_flags(campaign, code=None):
    flags = Flag.objects.open().filter(campaign=campaign)
    return {(flag.code, flag.subject) for flag in (flags.filter(code=code) if code else flags)}


def test_a_healthy_campaign_raises_no_flag():
    campaign = healthy_campaign()
    lead = campaign.members.first()
    assigned_deliverable(campaign, due_date=datetime.date(2026, 12, 1), responsible=lead, accountable=lead)
    health_sweep(now=NOW)
    assert open_flags(campaign) == set()


@pytest.mark.parametrize(
    ("role_field", "code", "severity"),
    [
        ("is_decision_maker", "no_decision_maker", "critical"),
        ("is_project_lead", "no_project_lead", "warning"),
        ("is_budget_owner", "no_budget_owner", "warning"),
    ],
)
def test_it_names_each_company_missing_a_stakeholder(role_field, code, severity):
    host, partner = OrganizationFactory(name="Northwind"), OrganizationFactory(name="Bluefin")
    campaign = healthy_campaign(host, partner)
    campaign.members.filter(person__organization=partner).update(**{role_field: False})
    member_of(campaign, partner, **{name: value for name, value in ALL_ROLES.items() if name != role_field})

    health_sweep(now=NOW)

    flag = Flag.objects.get(campaign=campaign, code=code)
    assert (flag.subject, flag.severity) == (f"organization:{partner.pk}", severity)
    assert "Bluefin" in flag.detail and "Northwind" not in flag.detail


@pytest.mark.parametrize("deleted_up_to", [0, 1000], ids=["truncated", "deleted"])
def test_each_check_sees_its_own_findings_however_the_staging_table_is_emptied(monkeypatch, deleted_up_to):
    """A check's findings are staged in a table the next check reuses: emptied by TRUNCATE when many, by DELETE
    when few. Either way, a finding of one check never opens a flag of another."""
    from utilities import bulk_rows

    monkeypatch.setattr(bulk_rows, "DELETED_NOT_TRUNCATED", deleted_up_to)
    campaign = healthy_campaign()
    campaign.members.update(is_decision_maker=False, is_project_lead=False)
    health_sweep(now=NOW)
    companies = [f"organization:{party.organization_id}" for party in campaign.parties.all()]
    assert len(companies) == 2
    assert open_flags(campaign) == {
        (code, company) for code in ("no_decision_maker", "no_project_lead") for company in companies
    }


def test_a_stakeholder_of_the_other_company_does_not_count():
    host, partner = OrganizationFactory(), OrganizationFactory()
    campaign = healthy_campaign(host, partner)
    campaign.members.filter(person__organization=partner).update(is_decision_maker=False)
    member_of(campaign, host, is_decision_maker=True)
    health_sweep(now=NOW)
    assert open_flags(campaign, "no_decision_maker") == {("no_decision_maker", f"organization:{partner.pk}")}


def test_it_flags_deliverables_without_accountable_or_responsible():
    campaign = healthy_campaign()
    lead = campaign.members.first()
    no_accountable = assigned_deliverable(campaign, due_date=datetime.date(2026, 12, 1), responsible=lead)
    no_responsible = assigned_deliverable(campaign, due_date=datetime.date(2026, 12, 1), accountable=lead)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 12, 1), status=Deliverable.Status.CANCELLED)

    health_sweep(now=NOW)

    assert open_flags(campaign) == {
        ("deliverable_without_accountable", f"deliverable:{no_accountable.pk}"),
        ("deliverable_without_responsible", f"deliverable:{no_responsible.pk}"),
    }


def test_it_flags_overdue_deliverables_until_they_are_published():
    campaign = healthy_campaign()
    lead = campaign.members.first()
    late = assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 22), responsible=lead, accountable=lead)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 23), responsible=lead, accountable=lead)

    health_sweep(now=NOW)
    assert open_flags(campaign) == {("deliverable_overdue", f"deliverable:{late.pk}")}

    Deliverable.objects.filter(pk=late.pk).update(status=Deliverable.Status.PUBLISHED)
    result = health_sweep(now=NOW + datetime.timedelta(minutes=15))
    assert open_flags(campaign) == set()
    assert result.resolved == 1 and Flag.objects.get(subject=f"deliverable:{late.pk}").resolved_at is not None


def test_the_flags_say_what_is_wrong_in_words_written_by_the_database_as_read_by_find():
    """Selected checks write their findings in SQL: the flag's words are the ones the check's `find` reads."""
    host, partner = OrganizationFactory(name="Northwind"), OrganizationFactory(name="Bluefin")
    campaign = healthy_campaign(host, partner)
    campaign.members.filter(person__organization=partner).update(is_decision_maker=False)
    lead = campaign.members.first()
    late = assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=lead)
    Deliverable.objects.filter(pk=late.pk).update(title="Landing page")

    health_sweep(now=NOW)

    details = {flag.code: flag.detail for flag in Flag.objects.open().filter(campaign=campaign)}
    assert details == {
        "no_decision_maker": "Bluefin has no decision maker on the campaign team.",
        "deliverable_overdue": "“Landing page” was due on Fri 20 Nov 2026 and is not done.",
        "deliverable_without_accountable": "Nobody is Accountable for “Landing page”.",
    }
    for code, detail in details.items():
        assert [finding.detail for finding in health.checks[code].find(Campaign.objects.open(), NOW)] == [detail]


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (datetime.date(2026, 12, 7), "Mon 7 Dec 2026"),
        (datetime.date(2027, 1, 1), "Fri 1 Jan 2027"),
        (datetime.date(2028, 2, 29), "Tue 29 Feb 2028"),
        (datetime.date(2026, 5, 31), "Sun 31 May 2026"),
    ],
)
def test_the_database_labels_a_day_as_people_read_it(day, label):
    healthy_campaign()
    labelled = Campaign.objects.annotate(label=DayLabel(Value(day, DateField()))).values_list("label", flat=True)
    assert labelled[0] == label == day_label(day)


@pytest.mark.parametrize(("year", "label"), [(True, day_label), (False, short_day_label)], ids=["with", "without"])
def test_the_database_labels_every_day_of_a_year_as_python_does(year, label):
    healthy_campaign()
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(365)]
    labelled = {f"d{n}": DayLabel(Value(day, DateField()), year=year) for n, day in enumerate(days)}
    row = Campaign.objects.annotate(**labelled).values_list(*labelled)[0]
    assert list(row) == [label(day) for day in days]
    assert short_day_label(datetime.date(2026, 11, 24)) == "Tue 24 Nov"


def test_a_flag_stays_open_with_its_last_seen_time_and_resolves_into_history():
    campaign = healthy_campaign()
    campaign.members.update(is_budget_owner=False)
    first = health_sweep(now=NOW)
    later = NOW + datetime.timedelta(hours=1)
    second = health_sweep(now=later)

    def flags():
        return Flag.objects.filter(campaign=campaign, code="no_budget_owner")

    assert first.opened == 2 and second.opened == 0 and second.still_open == 2
    assert {(flag.opened_at, flag.last_seen_at, flag.resolved_at) for flag in flags()} == {(NOW, later, None)}

    campaign.members.update(is_budget_owner=True)
    health_sweep(now=later + datetime.timedelta(hours=1))
    assert flags().count() == 2 and not flags().filter(resolved_at__isnull=True).exists()

    campaign.members.update(is_budget_owner=False)
    reopened = health_sweep(now=later + datetime.timedelta(hours=2))
    assert reopened.opened == 2 and flags().count() == 4  # the resolved ones are kept as history


def test_closing_a_campaign_resolves_its_flags():
    campaign = healthy_campaign()
    campaign.members.update(is_project_lead=False)
    health_sweep(now=NOW)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    health_sweep(now=NOW)
    assert open_flags(campaign) == set()


def test_a_failing_check_leaves_its_flags_alone_and_the_others_still_run(monkeypatch):
    campaign = healthy_campaign()
    campaign.members.update(is_project_lead=False, is_budget_owner=False)
    health_sweep(now=NOW)

    def broken(open_campaigns, now):
        raise RuntimeError("a bug in a check")

    monkeypatch.setitem(health.checks, "no_project_lead", health.HealthCheck("no_project_lead", "warning", "x", broken))
    campaign.members.update(is_budget_owner=True)
    result = health_sweep(now=NOW)

    assert result.failed_checks == ["no_project_lead"]
    assert {code for code, _ in open_flags(campaign)} == {"no_project_lead"}


def test_a_sweep_frees_each_checks_garbage_and_leaves_the_workers_collector_as_it_found_it(monkeypatch):
    campaign = healthy_campaign()
    campaign.members.update(is_decision_maker=False)
    garbage_left = []

    def leaves_a_reference_cycle(open_campaigns, now):
        cycle = []
        cycle.append(cycle)
        garbage_left.append(weakref.ref(Cyclic(cycle)))
        return []

    class Cyclic:
        def __init__(self, cycle):
            self.me, self.cycle = self, cycle

    check = health.HealthCheck("a_wasteful_check", "info", "x", leaves_a_reference_cycle)
    monkeypatch.setitem(health.checks, "a_wasteful_check", check)
    result = health_sweep(now=NOW)

    assert garbage_left[0]() is None  # collected before the sweep ended, though only a full collection finds it
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert {code for code, _ in open_flags(campaign)} == {"no_decision_maker"} and not result.failed_checks


def test_a_team_member_acknowledges_or_snoozes_a_flag_with_a_reason(shared_campaign, alice, charlie):
    shared_campaign.members.update(is_decision_maker=False)
    health_sweep(now=NOW)
    flag, other = Flag.objects.filter(campaign=shared_campaign, code="no_decision_maker")

    with pytest.raises(ValidationError, match="Say why"):
        flag_acknowledge(flag=flag, user=alice, reason="  ")
    with pytest.raises(ValidationError, match="member of the campaign team"):
        flag_acknowledge(flag=flag, user=charlie, reason="not mine")
    flag_acknowledge(flag=flag, user=alice, reason="Our VP joins next week")

    with time_machine.travel(NOW):
        with pytest.raises(ValidationError, match="after today"):
            flag_snooze(flag=other, user=alice, until=datetime.date(2026, 11, 23), reason="later")
        flag_snooze(flag=other, user=alice, until=datetime.date(2026, 12, 1), reason="Waiting for their reorg")

    flag.refresh_from_db()
    assert (flag.state, flag.acknowledged_by, flag.history.count()) == (
        "acknowledged",
        alice,
        2,
    )  # opened, acknowledged
    assert flag.history.latest().history_user == alice
    decision_flags = Flag.objects.filter(campaign=shared_campaign, code="no_decision_maker")
    assert decision_flags.needing_attention(datetime.date(2026, 11, 24)).count() == 0
    assert decision_flags.needing_attention(datetime.date(2026, 12, 1)).count() == 1


def test_it_refuses_to_acknowledge_a_resolved_flag(shared_campaign, alice):
    health_sweep(now=NOW)
    flag = Flag.objects.filter(campaign=shared_campaign, code="no_project_lead").first()
    shared_campaign.members.update(is_project_lead=True)
    health_sweep(now=NOW)
    flag.refresh_from_db()
    with pytest.raises(ValidationError, match="already resolved"):
        flag_acknowledge(flag=flag, user=alice, reason="ok")


def test_the_sweep_records_each_flag_it_opens_and_resolves_in_its_history(alice):
    campaign = healthy_campaign()
    campaign.members.update(is_budget_owner=False)
    health_sweep(now=NOW)
    health_sweep(now=NOW + datetime.timedelta(hours=1))  # still open: no new history row
    campaign.members.update(is_budget_owner=True)
    resolved_at = NOW + datetime.timedelta(hours=2)
    health_sweep(now=resolved_at)

    for flag in Flag.objects.filter(campaign=campaign, code="no_budget_owner"):
        rows = list(
            flag.history.order_by("history_date").values_list(
                "history_type", "history_date", "resolved_at", "history_change_reason", "history_user"
            )
        )
        assert rows == [
            ("+", NOW, None, "Opened by the health sweep", None),
            ("~", resolved_at, resolved_at, "Resolved by the health sweep", None),
        ]
