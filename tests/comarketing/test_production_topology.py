"""The production topology of docker-compose.yml, run as processes on this machine with the commands compose runs
(read from the file, so a change there changes what runs here): two `migrate` at once, gunicorn with 2 workers, a
Celery worker per compose worker service on its queues, one beat (django-celery-beat's database scheduler), the
machine's PostgreSQL and Redis, and a real SMTP server on loopback (aiosmtpd). On a database of its own, copied
from the test database and dropped after.

1. Reminders for work created through the API come out of the beat-driven sweep, each once, with one Message-ID.
2. The e-mail worker killed with SIGKILL while it talks to the mail server, a replacement started: every reminder
   delivered, none twice (the kill came before the hand-over; a kill after it would send a copy with the same
   Message-ID: at-least-once, see tests/campaigns/test_worker_killed.py).
3. A second beat: every sweep is enqueued twice, and still each reminder is sent once (each send claims its row).

Needs PostgreSQL and Redis (CI, where a missing service fails the run); skipped on a developer's SQLite.
Prints how long the deliveries took."""

import asyncio
import datetime
import email
import json
import os
import shlex
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter

import psycopg
import pytest
import yaml
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from campaigns.models import Reminder
from tests.campaigns.sweep_helpers import assigned_deliverable, healthy_campaign, team_member
from tests.live_processes import (
    COMPOSE_FILE,
    compose_command,
    database_url,
    free_port,
    option,
    start,
    stop,
    wait_for,
)
from tests.partners.factories import OrganizationFactory, company_user

pytestmark = pytest.mark.topology
SERVICES = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
WORKERS = [name for name, service in SERVICES.items() if " worker " in service.get("command", "")]
REMINDERS_PER_STEP = 4  # as many as the e-mail worker sends at once
SWEEP_EVERY = 2  # seconds between the beat's reminder sweeps (compose: REMINDER_SWEEP_EVERY_SECONDS, 5 minutes)
SENDING_TIMEOUT = 10  # a row claimed by a worker that died is claimed again after this long
STALL = 2  # seconds the slow mail server takes to answer RCPT TO


class MailSink:
    """Every message the SMTP server accepted; while `stall` is set, RCPT TO is answered that late."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.stall = 0.0
        self.stalled = 0  # conversations that reached the slow answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stall:
            self.stalled += 1
            await asyncio.sleep(self.stall)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def copies(self, reminder_ids) -> Counter:
        ids = {str(reminder_id) for reminder_id in reminder_ids}
        return Counter(int(m["X-Reminder-Id"]) for m in self.messages if m["X-Reminder-Id"] in ids)

    def received(self, reminder_id: int, header: str) -> set[str]:
        """The values of `header` in the copies of one reminder."""
        return {message[header] for message in self.messages if message["X-Reminder-Id"] == str(reminder_id)}


@pytest.fixture
def mail_sink():
    sink = MailSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    sink.stall = 0
    controller.stop()


@pytest.fixture
def topology_database(needs_real_services):
    """A database of this test's own, a copy of the migrated test database, used by this process's ORM too (to
    seed it and read it) while the test runs; dropped after."""
    test_database = connection.settings_dict["NAME"]
    name = f"{test_database}_topology"[:63]
    db = connection.settings_dict
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    server |= {"password": db["PASSWORD"]} if db["PASSWORD"] else {}
    connection.close()  # a database is copied only while nobody is connected to it (this process's only)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [test_database]
        )  # what an earlier test's thread left open
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{test_database}"')
    db["NAME"] = name
    try:
        # The schedules as a first deploy finds them: none yet (migrate installs them, with this test's intervals).
        PeriodicTask.objects.all().delete()
        IntervalSchedule.objects.all().delete()
        yield name
    finally:
        connection.close()
        db["NAME"] = test_database
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Topology:
    """The compose services as processes, each with its own log in `folder`."""

    def __init__(self, folder, database: str, smtp_port: int):
        self.folder = folder
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.queue_suffix = f"{settings.TASK_QUEUE_SUFFIX}-topology"  # apart from other tests' queues on this Redis
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "comarketing.settings",
            "SECRET_KEY": "topology-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, as behind a TLS proxy
            "DATABASE_URL": database_url(database),
            "REDIS_URL": settings.REDIS_URL,
            "COMARKETING_VAR_DIR": str(folder / "var"),
            "HOME": str(folder),  # gunicorn's control socket, apart from any other gunicorn on this machine
            "SITE_URL": self.base,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "5",
            "TASK_QUEUE_SUFFIX": self.queue_suffix,
            # Minutes in production, seconds here.
            "REMINDER_SWEEP_EVERY_SECONDS": str(SWEEP_EVERY),
            "REMINDER_SENDING_TIMEOUT_SECONDS": str(SENDING_TIMEOUT),
            "REMINDER_REQUEUE_AFTER_SECONDS": "15",
            "CELERY_TASK_TIME_LIMIT": str(SENDING_TIMEOUT - 2),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(SENDING_TIMEOUT - 3),
        }
        self.env.pop("EMAIL_BACKEND", None)

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        self.processes[name] = start(command, self.env, self.folder / f"{name}.log")
        return self.processes[name]

    def worker(self, service: str, name: str | None = None) -> subprocess.Popen:
        """A compose worker service, consuming its queues (this test's names of them), named after the service."""
        queues = option(shlex.split(SERVICES[service]["command"]), "-Q").split(",")
        mine = ",".join(queue + self.queue_suffix for queue in queues)
        return self.start(name or service, compose_command(service, n=f"{name or service}@%h", Q=mine))

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        stop(*self.processes.values())


def get(url: str, **headers) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()
    except OSError:
        return 0, b""


def post(base: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status in {200, 201}, answer.status
        return json.loads(answer.read())


@transaction.atomic  # one commit: the sweep finds them all at once (and the campaign is re-checked once)
def late_work(count: int) -> list[str]:
    """A campaign where `count` team members are each Responsible for a deliverable two days late: their e-mail
    addresses."""
    campaign = healthy_campaign()
    due_date = timezone.localdate() - datetime.timedelta(days=2)
    members = [team_member(campaign) for _ in range(count)]
    for member in members:
        assigned_deliverable(campaign, due_date=due_date, responsible=member)
    return [member.person.email for member in members]


def overdue_reminders(addresses) -> list[Reminder]:
    return list(Reminder.objects.filter(kind="deliverable_overdue", person__email__in=addresses).order_by("pk"))


def all_sent(addresses) -> bool:
    reminders = overdue_reminders(addresses)
    return len(reminders) == len(addresses) and {reminder.status for reminder in reminders} == {"sent"}


BEATS = ("beat", "beat-2")


def sweeps_sent_by(topology: Topology, beat: str) -> int:
    return topology.log(beat).count("Sending due task campaigns: reminder sweep")


def assert_each_delivered_once(sink: MailSink, addresses) -> None:
    reminders = overdue_reminders(addresses)
    assert {reminder.person.email for reminder in reminders} == set(addresses)
    assert sink.copies(r.pk for r in reminders) == Counter({r.pk: 1 for r in reminders})
    for reminder in reminders:
        (to,) = sink.received(reminder.pk, "To")
        assert f"<{reminder.person.email}>" in to
    message_ids = [sink.received(reminder.pk, "Message-ID") for reminder in reminders]
    assert all(len(ids) == 1 for ids in message_ids)  # one Message-ID per reminder, however many copies
    assert len(set.union(*message_ids)) == len(reminders)


def test_the_compose_topology_sends_each_reminder_once_through_a_worker_kill_and_a_second_beat(
    topology_database, mail_sink, tmp_path, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what gunicorn's settings check
    topology = Topology(tmp_path, topology_database, mail_sink.port)
    readyz = lambda: get(f"{topology.base}/readyz", Accept="application/json")[0]  # noqa: E731
    try:
        started = time.monotonic()
        # Two machines deploying at once: both migrate processes end well, and the schedules are installed once.
        migrations = [topology.start(f"migrate-{n}", compose_command("migrate")) for n in (1, 2)]
        outcomes = [process.wait(timeout=120) for process in migrations]
        assert outcomes == [0, 0], topology.log("migrate-1") + topology.log("migrate-2")
        assert PeriodicTask.objects.get(name="campaigns: reminder sweep").interval.every == SWEEP_EVERY
        assert IntervalSchedule.objects.filter(every=SWEEP_EVERY).count() == 1
        migrated = time.monotonic() - started

        topology.start("web", compose_command("web", bind=f"127.0.0.1:{topology.web_port}", workers="2"))
        for service in WORKERS:
            topology.worker(service)
        topology.start("beat", compose_command("beat"))
        assert wait_for(lambda: readyz() == 200, 90), topology.log("web")
        assert wait_for(lambda: all(" ready." in topology.log(service) for service in WORKERS), 90)
        up = time.monotonic() - started

        # 1. The host's people plan work through the API; the beat's sweep reminds each Responsible once it is late.
        with transaction.atomic():
            host = company_user(name="Hana Host")
            campaign = healthy_campaign(host.person.organization, OrganizationFactory())
            members = [team_member(campaign) for _ in range(REMINDERS_PER_STEP)]
        planned = time.monotonic()
        token = post(topology.base, "/api/token/", {"username": host.username, "password": "pw"})["token"]
        late = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
        for member in members:
            work = {"campaign": campaign.pk, "title": f"Landing page by {member.person.full_name}", "due_date": late}
            deliverable = post(topology.base, "/api/deliverables/", work, token)
            raci = {"deliverable": deliverable["id"], "member": member.pk, "role": "R"}
            post(topology.base, "/api/raci-assignments/", raci, token)
        first = [member.person.email for member in members]
        assert wait_for(lambda: all_sent(first), 60), topology.log("worker-sweeps")
        first_delivery = time.monotonic() - planned
        assert_each_delivered_once(mail_sink, first)
        assert readyz() == 200

        # 2. The e-mail worker dies (SIGKILL to all its processes, as a lost machine) while the mail server is slow.
        mail_sink.stall = STALL
        second = late_work(REMINDERS_PER_STEP)
        assert wait_for(lambda: mail_sink.stalled > 0, 60), topology.log("worker-email")
        stop(topology.processes["worker-email"], sig=signal.SIGKILL)
        killed = time.monotonic()
        in_flight = Reminder.objects.filter(status="sending").count()
        assert in_flight > 0
        mail_sink.stall = 0
        topology.worker("worker-email", "worker-email-replacement")
        assert wait_for(lambda: all_sent(second), 60), topology.log("worker-email-replacement")
        after_kill = time.monotonic() - killed
        assert_each_delivered_once(mail_sink, second)

        # 3. A second beat: from now on every sweep is enqueued twice.
        topology.start("beat-2", compose_command("beat"))
        assert wait_for(lambda: sweeps_sent_by(topology, "beat-2") > 0, 30), topology.log("beat-2")
        before = {beat: sweeps_sent_by(topology, beat) for beat in BEATS}
        planned = time.monotonic()
        third = late_work(REMINDERS_PER_STEP)
        assert wait_for(lambda: all_sent(third), 60)
        with_two_beats = time.monotonic() - planned
        # Two more sweeps from each beat after the last send: a second copy would have come by then.
        sent_out = {beat: sweeps_sent_by(topology, beat) for beat in BEATS}
        assert wait_for(lambda: all(sweeps_sent_by(topology, beat) >= sent_out[beat] + 2 for beat in BEATS), 30)
        for addresses in (first, second, third):
            assert_each_delivered_once(mail_sink, addresses)
        # And every other reminder the sweeps found (critical flags of the new campaigns) went out once too.
        assert wait_for(lambda: not Reminder.objects.filter(status__in=["pending", "sending"]).exists(), 30)
        sent = Reminder.objects.filter(status="sent").values_list("pk", flat=True)
        assert Counter(int(message["X-Reminder-Id"]) for message in mail_sink.messages) == Counter(set(sent))
        during = {beat: sweeps_sent_by(topology, beat) - before[beat] for beat in BEATS}
        print(
            f"\nTopology up in {up:.1f} s (two migrate at once: {migrated:.1f} s; gunicorn with 2 workers, "
            f"{len(WORKERS)} Celery workers, beat); {REMINDERS_PER_STEP} reminders each, every one delivered once: "
            f"{first_delivery:.1f} s from the first API call, {after_kill:.1f} s from the e-mail worker's kill with "
            f"{in_flight} in flight (sending timeout {SENDING_TIMEOUT} s, replacement's start included), "
            f"{with_two_beats:.1f} s from the commit with two beats (reminder sweeps meanwhile: {during}); "
            f"{len(mail_sink.messages)} messages at the SMTP server, {len(sent)} reminders sent"
        )
    finally:
        topology.stop_all()
