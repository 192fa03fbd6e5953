import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from campaigns.models import Flag, Reminder
from tests.campaigns.sweep_helpers import (
    UTC,
    assigned_deliverable,
    core_checks_only,  # noqa: F401  (fixture)
    healthy_campaign,
    team_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def run(*args) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_sweep_prints_what_it_opened_resolved_and_queued():
    campaign = healthy_campaign(name="Spring webinar")
    member = team_member(campaign)
    late = assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=member)

    first = run("sweep")
    assert "Flags opened: 2" in first
    assert f"opened deliverable_overdue deliverable:{late.pk} on “Spring webinar”" in first
    assert "Reminders new: 1 (opted out: 0); queued: 1" in first

    late.status = "published"
    late.save()  # in this test its commit hook (which marks the campaign changed) never runs: a full run sees it
    second = run("sweep", "--full")
    assert "Flags resolved: 2" in second and "resolved deliverable_overdue" in second  # done: no Accountable needed
    assert "queued: 0" in second
    assert Flag.objects.open().count() == 0


def test_sweep_can_send_right_away_without_a_worker():
    campaign = healthy_campaign()
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=team_member(campaign))
    assert "Sent now: sent: 1" in run("sweep", "--send-now")
    assert len(mail.outbox) == 1 and Reminder.objects.get().status == "sent"


def test_bench_reports_each_measurement_next_to_its_floor_and_keeps_nothing():
    output = run("bench", "--campaigns", "6", "--requests", "2")
    for measured in (
        "health sweep, first run",
        "reminder sweep, steady state",
        "webhook sweep, 1 % changed",
        "campaign change page (3 visible)",
    ):
        assert measured in output
    assert output.count("floor: the question in plain SQL") == 3 and "floor: values() + JSON" in output
    assert output.count("of which executing statements") == 9 and "INSERT INTO" in output  # where the time went
    assert "1 campaigns changed (one in a hundred)" in output
    assert "same query count whatever is visible: True" in output and "API page: 3 campaigns of 3" in output
    assert "Synthetic data rolled back." in output
    assert not Flag.objects.exists() and not Reminder.objects.exists()


def test_the_demo_trips_several_flags_and_has_reminders_due(django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    codes = set(Flag.objects.open().values_list("code", flat=True))
    assert {"no_decision_maker", "deliverable_without_accountable", "deliverable_overdue", "no_budget_owner"} <= codes
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert {"critical_flag", "deliverable_overdue", "deliverable_due_soon"} <= kinds


def test_bench_generates_in_the_database_on_postgresql_and_says_why_not_elsewhere(settings):
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        with pytest.raises(CommandError, match="--in-database needs PostgreSQL"):
            run("bench", "--campaigns", "6", "--in-database")
        return
    output = run("bench", "--campaigns", "6", "--in-database", "--sweeps-only")
    assert "Built 6 campaigns" in output and "Synthetic data rolled back." in output


def test_bench_commits_only_into_a_database_of_its_own(settings):
    with pytest.raises(CommandError, match="--committed goes with --in-database"):
        run("bench", "--campaigns", "6", "--committed")
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    healthy_campaign()
    with pytest.raises(CommandError, match="a database of its own holding no campaigns"):
        run("bench", "--campaigns", "6", "--in-database", "--committed", "--sweeps-only")


@pytest.mark.django_db(transaction=True)
def test_bench_committed_runs_each_sweep_as_production_does_and_floors_a_first_run_with_its_writes(settings):
    """Committed, each sweep runs in transactions of its own (as in production), and a first run's floor counts
    writing what it wrote once: a floor that only reads cannot be met by a run that writes every flag."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("--in-database generates in PostgreSQL (CI runs this on PostgreSQL)")
    output = run("bench", "--campaigns", "6", "--in-database", "--committed", "--sweeps-only")

    assert "Built 6 campaigns" in output and "Synthetic data committed" in output
    assert Flag.objects.exists() and Reminder.objects.exists()  # kept, as the help says
    opened = int(re.search(r"health sweep, first run.*\n\s+flags opened (\d+)", output)[1])
    queued = int(re.search(r"reminder sweep, first run.*\n\s+new in the outbox (\d+)", output)[1])
    assert opened > 0 and queued > 0
    assert f"floor: its {2 * opened} rows written once" in output  # every flag opened, and its history row
    assert f"floor: its {queued} rows written once" in output
    assert output.count("ratio to floor") == 3
