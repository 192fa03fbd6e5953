"""Reminders against a real SMTP server on loopback (aiosmtpd) that stalls or refuses at each stage: what concerns
the recipient fails that message; what concerns the server or our sender pauses e-mail and is retried, and the
operator is told; a stalled server or a 4xx is retried. Nothing is lost while the retry window lasts."""

import asyncio
import datetime
import email

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from campaigns.models import Reminder, SendingPause
from campaigns.outbox.reminders import reminder_send, reminder_sweep
from tests.campaigns.sweep_helpers import (  # noqa: F401  (fixtures)
    UTC,
    assigned_deliverable,
    core_checks_only,
    healthy_campaign,
    team_member,
)
from tests.live_processes import free_port

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday: no weekly digest in the way
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]


class MailServer:
    """What the SMTP server answers, switched by the test: it delivers, stalls before answering DATA, or refuses
    with the reply given at one stage (greeting, MAIL FROM, RCPT TO)."""

    def __init__(self):
        self.delivered: list[email.message.Message] = []
        self.stalled = False
        self.greeting: str | None = None
        self.mail_from: str | None = None
        self.rcpt_to: str | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_from:
            return self.mail_from
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_to:
            return self.rcpt_to
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stalled:
            while self.stalled:  # the client gives up (EMAIL_TIMEOUT) long before this answers
                await asyncio.sleep(0.05)
            return "451 Too late"
        self.delivered.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def answers_again(self):
        self.stalled, self.greeting, self.mail_from, self.rcpt_to = False, None, None, None


class GreetingSMTP(SMTP):
    """aiosmtpd's server, greeting with the handler's refusal when it has one (a server that will not serve us)."""

    async def push(self, status: str) -> None:
        refusal = self.event_handler.greeting
        if refusal and status.startswith(f"220 {self.hostname} "):
            status = refusal
        await super().push(status)


class GreetingController(Controller):
    def factory(self):
        return GreetingSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def smtp_server(settings):
    server = MailServer()
    port = free_port()
    controller = GreetingController(server, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1  # a stalled server costs a second per attempt here
    settings.EMAIL_PAUSE_SECONDS = 300
    settings.REMINDER_RETRY_WINDOW_SECONDS = 24 * 3600
    yield server
    server.answers_again()  # lets a stalled handler end before the loop stops
    controller.stop()


def overdue_reminders(count: int) -> list[Reminder]:
    campaign = healthy_campaign()
    for _ in range(count):
        member = team_member(campaign)
        assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=member)
    reminder_sweep(now=NOW, enqueue=False)
    reminders = list(Reminder.objects.order_by("pk"))
    assert len(reminders) == count
    return reminders


def send_all(reminders: list[Reminder], now: datetime.datetime) -> list[str]:
    return [reminder_send(reminder_id=reminder.pk, now=now).status for reminder in reminders]


def statuses(reminders: list[Reminder]) -> set[str]:
    return set(Reminder.objects.filter(pk__in=[r.pk for r in reminders]).values_list("status", flat=True))


def delivered_ids(server: MailServer) -> list[int]:
    return sorted(int(message["X-Reminder-Id"]) for message in server.delivered)


LATER = NOW + datetime.timedelta(hours=2)  # past any back-off and pause, within the retry window


def test_a_stalled_server_fails_nothing_and_everything_goes_when_it_answers_again(smtp_server):
    reminders = overdue_reminders(3)
    smtp_server.stalled = True

    assert send_all(reminders, NOW) == ["retry"] * 3
    assert statuses(reminders) == {"pending"}
    assert all("timed out" in r.last_error for r in Reminder.objects.all())

    smtp_server.answers_again()
    assert send_all(reminders, LATER) == ["sent"] * 3
    assert delivered_ids(smtp_server) == [r.pk for r in reminders]


def test_a_451_is_retried_then_delivered(smtp_server):
    (reminder,) = overdue_reminders(1)
    smtp_server.rcpt_to = "451 4.7.1 Greylisted, try again later"

    assert send_all([reminder], NOW) == ["retry"]
    reminder.refresh_from_db()
    assert reminder.status == "pending" and "Greylisted" in reminder.last_error
    assert reminder.next_attempt_at > NOW

    smtp_server.answers_again()
    assert send_all([reminder], LATER) == ["sent"]
    assert delivered_ids(smtp_server) == [reminder.pk]


def test_a_550_for_the_recipient_fails_that_message_only(smtp_server):
    refused, other = overdue_reminders(2)
    smtp_server.rcpt_to = "550 5.1.1 No such user here"

    assert send_all([refused], NOW) == ["failed"]
    refused.refresh_from_db()
    assert refused.status == "failed" and "No such user" in refused.last_error
    assert not SendingPause.objects.exists()  # the server is fine: nothing else waits

    smtp_server.answers_again()
    assert send_all([other], NOW) == ["sent"]
    assert delivered_ids(smtp_server) == [other.pk]


@pytest.mark.parametrize(
    "stage, refusal",
    [
        ("greeting", "554 5.7.1 Service unavailable; client host blocked"),
        ("mail_from", "550 5.7.1 Sender address rejected: not owned by you"),
    ],
)
def test_a_refusal_of_the_server_or_our_sender_pauses_mail_and_loses_nothing(smtp_server, stage, refusal):
    first, second, third = overdue_reminders(3)
    setattr(smtp_server, stage, refusal)

    assert send_all([first], NOW) == ["retry"]
    pause = SendingPause.objects.get(channel=SendingPause.MAIL)
    assert pause.paused_until == NOW + datetime.timedelta(seconds=300)
    assert refusal.split(" ", 2)[2] in pause.reason
    # While paused, the others wait without talking to the server, and none is failed.
    smtp_server.answers_again()
    assert send_all([second, third], NOW + datetime.timedelta(minutes=1)) == ["retry", "retry"]
    assert not smtp_server.delivered
    assert statuses([first, second, third]) == {"pending"}
    assert all(r.next_attempt_at >= pause.paused_until for r in Reminder.objects.all())

    assert send_all([first, second, third], LATER) == ["sent"] * 3
    assert delivered_ids(smtp_server) == [first.pk, second.pk, third.pk]
    assert not SendingPause.objects.exists()  # the first message that went out lifted it


def test_the_operator_sees_the_pause_on_my_work_and_a_company_does_not(smtp_server, client, operator, alice):
    (reminder,) = overdue_reminders(1)
    smtp_server.mail_from = "550 5.7.1 Sender address rejected: not owned by you"
    send_all([reminder], NOW)

    client.force_login(operator)
    page = client.get("/admin/").content.decode()
    assert "E-mail is paused" in page and "Sender address rejected" in page
    assert "1 reminder waits" in page

    client.force_login(alice)
    assert "E-mail is paused" not in client.get("/admin/").content.decode()
