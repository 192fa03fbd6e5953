"""Test-only e-mail backends, selected through EMAIL_BACKEND (in a worker subprocess: through the environment)."""

import os
import smtplib
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

UNREACHABLE_DOMAIN = "@unreachable.example"


class FailingForOneDomainBackend(LocmemBackend):
    """Delivers like locmem, except to addresses at UNREACHABLE_DOMAIN: the mail server refuses those."""

    def send_messages(self, messages):
        for message in messages:
            if any(UNREACHABLE_DOMAIN in address for address in message.to):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class SlowFileBackend(FileBackend):
    """The file backend after SLOW_EMAIL_SECONDS of "talking to the server": time to kill the worker mid-send."""

    def send_messages(self, messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(messages)


class OutageBackend(LocmemBackend):
    """The mail server refuses connections until OUTAGE_UNTIL (a moment of the frozen clock), then delivers."""

    OUTAGE_UNTIL = None

    def send_messages(self, messages):
        from django.utils import timezone

        if self.OUTAGE_UNTIL is not None and timezone.now() < self.OUTAGE_UNTIL:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


class RefusingBackend(LocmemBackend):
    """The mail server answers every message with the SMTP error in REFUSAL (code, text)."""

    REFUSAL = (550, b"5.1.1 No such user")

    def send_messages(self, messages):
        code, text = self.REFUSAL
        raise smtplib.SMTPDataError(code, text)


class SentThenSlowFileBackend(FileBackend):
    """Hands the message over (writes it), then waits SLOW_EMAIL_SECONDS before the worker can mark it sent:
    time to kill the worker in the one window where a copy is already out."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return sent
