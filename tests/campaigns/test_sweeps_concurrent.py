"""Sweeps safe to run twice at once: each flag is resolved once (one history row, one resolution moment) and
each sweep reports what it resolved itself; a decision on a flag never reopens one a sweep resolved."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from campaigns.models import Flag
from campaigns.registries import checks as health
from campaigns.services.health import flag_acknowledge, flag_snooze, health_sweep
from tests.campaigns.factories import joint_campaign
from tests.campaigns.sweep_helpers import UTC
from tests.partners.factories import OrganizationFactory

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RESOLVED = "Resolved by the health sweep"


def with_check(monkeypatch, find) -> None:
    check = health.HealthCheck("gone_away", "warning", "Gone away", find)
    monkeypatch.setattr(health, "checks", {check.code: check})


def flags_no_longer_found(monkeypatch, count: int) -> list[Flag]:
    """`count` open flags of a check that no longer finds anything: the next sweep resolves them all."""
    with_check(monkeypatch, lambda campaigns, now: [])
    campaign = joint_campaign(OrganizationFactory(), OrganizationFactory())
    opened = NOW - datetime.timedelta(days=1)
    return [
        Flag.objects.create(
            campaign=campaign, code="gone_away", subject=f"item:{n}", severity="warning", title="Gone away",
            opened_at=opened, last_seen_at=opened,
        )
        for n in range(count)
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_resolve_each_flag_once_and_count_true(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the concurrent run is meaningful on PostgreSQL (CI).")
    both_started = threading.Barrier(2, timeout=30)

    def find_nothing_once_both_run(campaigns, now):
        both_started.wait()  # both sweeps are inside their transaction and have read the open flags
        return []

    flags = flags_no_longer_found(monkeypatch, 20)
    with_check(monkeypatch, find_nothing_once_both_run)  # after the flags: saving them re-checked their campaign
    results, errors = [], []

    def sweep():
        try:
            results.append(health_sweep(now=NOW))
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(result.resolved for result in results) == [0, 20]
    for flag in flags:
        flag.refresh_from_db()
        assert flag.resolved_at == NOW
        assert flag.history.filter(history_change_reason=RESOLVED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("decide", ["acknowledge", "snooze"])
def test_a_decision_on_a_flag_the_sweep_resolved_meanwhile_is_refused_and_it_stays_resolved(
    monkeypatch, operator, decide
):
    (flag,) = flags_no_longer_found(monkeypatch, 1)  # read, as a form or an API request read it
    assert health_sweep(now=NOW).resolved == 1

    with pytest.raises(ValidationError, match="already resolved"):
        if decide == "acknowledge":
            flag_acknowledge(flag=flag, user=operator, reason="We know")
        else:
            flag_snooze(flag=flag, user=operator, until=datetime.date.today() + datetime.timedelta(days=3), reason="x")
    flag.refresh_from_db()
    assert flag.resolved_at == NOW and flag.acknowledged_at is None and flag.snoozed_until is None
