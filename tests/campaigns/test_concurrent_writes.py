"""Two companies writing at the same moment through a real multi-process server (gunicorn, 3 workers) against the
test database: stale and simultaneous changes to deliverables, meeting logs and KPI figures are never silently
lost, and parallel identical creates with one Idempotency-Key make one row."""

import datetime
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.conf import settings
from knox.models import AuthToken

from campaigns.models import Deliverable
from meetings.models import ActionItem, Meeting
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.live_processes import database_url, free_port
from tests.meetings.factories import series_for

# Committed rows, visible to the server's processes (the catalog of metrics put back after another test's flush).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]
ROUNDS = 5


@pytest.fixture
def server(needs_real_services, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "comarketing.settings",
        "SECRET_KEY": "concurrency-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "COMARKETING_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, as behind a TLS proxy
        "API_THROTTLE_USER": "100000/minute",
        "API_THROTTLE_ANON": "100000/minute",
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "comarketing.wsgi:application"),
        *("--workers", "3", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--timeout", "120"),
    ]
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/admin/login/", timeout=15)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"gunicorn did not start: {(tmp_path / 'gunicorn.log').read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def call(base: str, token: str, method: str, path: str, body=None, **headers) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"{}"), dict(answer.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}"), dict(refused.headers)


def at_once(*calls) -> list:
    """Run the calls in threads released together, so the server gets them at the same moment."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, work):
        barrier.wait()
        results[index] = work()

    threads = [threading.Thread(target=run, args=(index, work)) for index, work in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def tokens(shared_campaign, alice, carol):
    return AuthToken.objects.create(alice)[1], AuthToken.objects.create(carol)[1]


def test_simultaneous_and_stale_writes_from_two_companies_are_never_silently_lost(server, tokens, shared_campaign):
    alice, carol = tokens
    outcomes = Counter()
    for round_ in range(ROUNDS):
        deliverable = DeliverableFactory(campaign=shared_campaign, title=f"Page {round_}", link="https://a.example/")
        path = f"/api/deliverables/{deliverable.pk}/"
        # Both read version 1, then both write at once, each asserting the version it read.
        first, second = at_once(
            lambda path=path: call(server, alice, "PATCH", path, {"title": "Alice"}, **{"If-Match": '"1"'}),
            lambda path=path: call(server, carol, "PATCH", path, {"link": "https://b.example/"}, **{"If-Match": '"1"'}),
        )
        statuses = sorted([first[0], second[0]])
        outcomes[f"deliverable, both asserting version 1: {statuses}"] += 1
        assert statuses == [200, 412]
        stored = Deliverable.objects.get(pk=deliverable.pk)
        winner_kept = stored.title == "Alice" if first[0] == 200 else stored.link == "https://b.example/"
        loser_refused = stored.link == "https://a.example/" if first[0] == 200 else stored.title == f"Page {round_}"
        assert winner_kept and loser_refused and stored.version == 2

        # Without a version, changes of different fields sent at once both land.
        at_once(
            lambda path=path: call(server, alice, "PATCH", path, {"title": "Both"}),
            lambda path=path: call(server, carol, "PATCH", path, {"link": "https://both.example/"}),
        )
        stored = Deliverable.objects.get(pk=deliverable.pk)
        outcomes["deliverable, different fields without a version: both kept"] += (stored.title, stored.link) == (
            "Both",
            "https://both.example/",
        )
        assert (stored.title, stored.link) == ("Both", "https://both.example/")
    print(dict(outcomes))


def test_two_facilitators_logging_the_same_meeting_and_two_reporters_of_one_figure(
    server, tokens, shared_campaign, alice
):
    alice_token, carol_token = tokens
    series_for(shared_campaign, first_date=datetime.date.today(), time_zone="UTC")
    registrations = kpi(shared_campaign)
    outcomes = Counter()
    for round_ in range(ROUNDS):
        meeting = Meeting.objects.filter(series__campaign=shared_campaign).order_by("starts_at")[round_]
        path = f"/api/meetings/{meeting.pk}/"
        version = meeting.version
        results = at_once(
            lambda path=path, v=version: call(
                server, alice_token, "PATCH", path, {"notes": "Alice's minutes", "version": v}
            ),
            lambda path=path, v=version: call(
                server, carol_token, "PATCH", path, {"notes": "Carol's minutes", "version": v}
            ),
        )
        statuses = sorted(status for status, *_ in results)
        outcomes[f"meeting log: {statuses}"] += 1
        assert statuses == [200, 409]
        kept = Meeting.objects.get(pk=meeting.pk).notes
        assert kept == ("Alice's minutes" if results[0][0] == 200 else "Carol's minutes")
        conflict = next(body for status, body, _ in results if status == 409)
        assert conflict["current"]["notes"] == kept

        figure = measurement(
            registrations, "3", by=alice.person, end=datetime.date(2026, 11, 8) + datetime.timedelta(weeks=round_)
        )
        path = f"/api/kpi-measurements/{figure.pk}/"
        results = at_once(
            lambda path=path: call(server, alice_token, "PATCH", path, {"value": "4", "version": 1}),
            lambda path=path: call(server, alice_token, "PATCH", path, {"value": "40", "version": 1}),
        )
        statuses = sorted(status for status, *_ in results)
        outcomes[f"KPI figure: {statuses}"] += 1
        assert statuses == [200, 409]
    print(dict(outcomes))


def test_parallel_identical_creates_with_one_key_make_one_row(server, tokens, shared_campaign, alice):
    alice_user = alice
    alice, _ = tokens
    series_for(shared_campaign, first_date=datetime.date.today(), time_zone="UTC")
    meeting = Meeting.objects.filter(series__campaign=shared_campaign).first()
    owner = shared_campaign.members.get(person__user=alice_user).pk
    body = {"meeting": meeting.pk, "title": "Send the speaker brief", "owner": owner, "due_date": "2027-01-15"}
    results = at_once(
        *[
            lambda: call(server, alice, "POST", "/api/action-items/", body, **{"Idempotency-Key": "brief-1"})
            for _ in range(8)
        ]
    )
    statuses = Counter(status for status, *_ in results)
    print({"8 identical POSTs with one key": dict(statuses)})
    assert set(statuses) <= {201, 409} and statuses[201] >= 1
    assert {body["id"] for status, body, _ in results if status == 201} == {
        ActionItem.objects.get(title="Send the speaker brief").pk
    }
