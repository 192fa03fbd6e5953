"""The reminder outbox: the sweep that fills it and the send that empties it.

What is guaranteed: every outbox row is delivered at least once, and every copy of it carries the same
Message-ID (derived from the row's outbox key), so a copy sent again after a crash is recognised as the same
message by mail systems that de-duplicate. Exactly once cannot be promised: a worker killed after the mail
server accepted the message and before the row is marked sent (one UPDATE, nothing else in between) leaves
the row "sending"; after REMINDER_SENDING_TIMEOUT_SECONDS it is claimed and sent again.

Transient failures (connection refused, a server that stalls past EMAIL_TIMEOUT, a dropped connection, SMTP
4xx) are retried with capped exponential back-off for REMINDER_RETRY_WINDOW_SECONDS after the first one (default
24 h), with no operator action. A 5xx about the server or our sender (a 554 greeting, MAIL FROM refused, our login
refused) says nothing about the message: all e-mail is paused for EMAIL_PAUSE_SECONDS, the row retried after it,
and the operator sees the pause on My work. Only a permanent failure (a 5xx for the recipient or the message's
data, or a bug) ends the row "failed" at once; a transient one ends it "failed" when the window is over.
"""

import datetime
import enum
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from email.header import Header
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from campaigns.models import Campaign, Member, Party, Reminder, ReminderOptOut, SendingPause, company_takes_part
from campaigns.outbox import lifecycle as outbox
from campaigns.registries import reminder_sources
from campaigns.services import sweep_marks
from partners.models import Person
from partners.services import person_of
from utilities.bulk_rows import (
    chunked,
    insert_ignoring_conflicts,
    insert_selected_ignoring_conflicts,
    staging_emptied,
)
from utilities.validation import save_validated

SEND_TASK = "campaigns.send_reminder"  # the task that sends one reminder, by id

# Who hears anything from the outbox: a person their company has not deactivated. The one condition, declared
# once: the sweep applies it in SQL (`Person.objects.filter(**RECIPIENT_REACHABLE)`), and the send, like a notice
# as it is written, to the person loaded with the row (`reachable`).
RECIPIENT_REACHABLE = {"is_active": True}


def reachable(person: Person) -> bool:
    """`RECIPIENT_REACHABLE`, checked on a person already loaded (no query)."""
    return all(getattr(person, name) == value for name, value in RECIPIENT_REACHABLE.items())


logger = logging.getLogger(__name__)


@dataclass
class ReminderSweepResult:
    created: int = 0
    looked_at: int | None = None  # campaigns an incremental run looked at (None: a full run)
    opted_out: int = 0  # due reminders not stored because their recipient turned their kind off
    queued: list[int] = field(default_factory=list)
    failed_stale: int = 0
    failed_sources: list[str] = field(default_factory=list)


def _outbox_rows(due: list[reminder_sources.DueReminder], result: ReminderSweepResult) -> list[dict]:
    """A chunk of a Python source's due reminders as outbox rows, without deactivated recipients and those who
    turned the kind off (counted apart). Both are asked about this chunk's people only: read whole, they were
    the one thing a quiet run read that grows with the data (every person, 100,000 rows at 100,000 campaigns)."""
    people = {reminder.person_id for reminder in due}
    reachable_ids = set(Person.objects.filter(pk__in=people, **RECIPIENT_REACHABLE).values_list("pk", flat=True))
    opted_out = set(ReminderOptOut.objects.filter(person__in=people).values_list("person_id", "kind"))
    rows = []
    for reminder in due:
        if reminder.person_id not in reachable_ids:
            continue
        if (reminder.person_id, reminder.kind) in opted_out:
            result.opted_out += 1
            continue
        rows.append(
            {
                "kind": reminder.kind,
                "subject": reminder.subject,
                "person": reminder.person_id,
                "due_at": reminder.due_at,
                "next_attempt_at": reminder.due_at,
                "campaign": reminder.campaign_id,
            }
        )
    return rows


def _new_row(now: datetime.datetime) -> dict:
    """What every new outbox row starts with; its subject line and bodies are written when it is sent."""
    return {
        "subject_line": "",
        "body_text": "",
        "body_html": "",
        "status": Reminder.Status.PENDING,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
    }


# Which column of a source's `due_rows` fills each field of a new outbox row.
_DUE_ROW_FIELDS = dict(zip(("subject", "person", "due_at", "campaign"), reminder_sources.DUE_COLUMNS, strict=True))


def _store_selected(kind: str, due: QuerySet, result: ReminderSweepResult, now) -> None:
    """The database stores the due reminders of a queryset source itself, in one INSERT … SELECT without the
    recipients who turned the kind off (counted apart, and only for a kind someone turned off), without deactivated
    people, and without those whose company no longer takes part in the campaign (it left, or was removed: its team
    rows stay as history)."""
    # On the company column, not through the person (PostgreSQL then matched every person of every party: 9.5 s
    # instead of 0.1 s for one source at 2,000 campaigns). Joined to the outer rows as a plain EXISTS, it was
    # probed through the company's parties, hundreds for a large company; beside "no campaign", it is checked
    # against the current parties read once (or by the campaign's own index): no dearer than without it.
    takes_part = company_takes_part("due_campaign", reminder_sources.DUE_COMPANY)
    due = due.filter(Q(due_campaign__isnull=True) | takes_part).filter(
        Exists(Person.objects.filter(pk=OuterRef("due_person"), **RECIPIENT_REACHABLE))
    )
    turned_off = Exists(ReminderOptOut.objects.filter(kind=kind, person_id=OuterRef("due_person")))
    if ReminderOptOut.objects.filter(kind=kind).exists():
        result.opted_out += due.filter(turned_off).count()
    result.created += insert_selected_ignoring_conflicts(
        Reminder,
        due.exclude(turned_off),
        {**_DUE_ROW_FIELDS, "next_attempt_at": "due_at"},
        {"kind": kind, **_new_row(now)},
    )


# What a Python source's due reminders fill of an outbox row (the rest is the same in every new row).
_STAGED_FIELDS = ("kind", "subject", "person", "due_at", "next_attempt_at", "campaign")
STAGING_TABLE = "reminder_staged"


def _staging_table() -> str:
    """A temporary table of the columns a Python source fills, created once per connection, empty between sources.
    A source's rows wait here until its query is read to the end, then go into the outbox in one statement: written
    as they streamed, they grew the outbox under the source's own open query, which PostgreSQL had planned for the
    outbox as it was (on a first run, empty: a scan of it per row). At 1,000,000 campaigns the KPI report source
    fetched 1,000 rows in 2-5 s, and would have taken hours."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Reminder._meta.get_field(name).column) for name in _STAGED_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING_TABLE} AS "
            f"SELECT {columns} FROM {quote(Reminder._meta.db_table)} WHERE 1 = 0"
        )
    return STAGING_TABLE


def _store(
    source: reminder_sources.ReminderSource, result: ReminderSweepResult, now, campaign_ids: list[int] | None = None
) -> None:
    """A source's due reminders into the outbox (about `campaign_ids` only, when given): a queryset in one
    statement, bare keys ROWS_PER_STATEMENT at a time; rows already there are skipped by the unique key. A source
    that fails is logged and the others still run."""
    try:
        with transaction.atomic():
            if campaign_ids is not None and source.takes_campaigns:
                due = source.find(now, open_campaigns=Campaign.objects.open().filter(pk__in=campaign_ids))
            else:
                due = source.find(now)
            if campaign_ids is not None and isinstance(due, QuerySet):
                due = due.filter(due_campaign__in=campaign_ids)
            if isinstance(due, QuerySet):
                _store_selected(source.kind, due, result, now)
                return
            table, staged = _staging_table(), 0
            for chunk in chunked(due):
                staged += insert_ignoring_conflicts(Reminder, _outbox_rows(chunk, result), table=table)
            if staged:
                columns = {name: Reminder._meta.get_field(name).column for name in _STAGED_FIELDS}
                result.created += insert_selected_ignoring_conflicts(
                    Reminder, (f"SELECT * FROM {table}", []), columns, _new_row(now)
                )
                staging_emptied(table, staged)
    except Exception:
        logger.exception("Reminder source %s failed; the others are still queued", source.kind)
        result.failed_sources.append(source.kind)


def reminder_sweep(
    *, now: datetime.datetime | None = None, enqueue: bool = True, incremental: bool = False
) -> ReminderSweepResult:
    """Ask every source for due reminders, store them once each, and enqueue the rows ready to send.

    Safe to run twice, or twice at the same moment: the outbox's unique key (kind, subject, recipient, due
    moment) lets only one copy in, and each send claims its row. A source's query is stored by the database
    itself (INSERT … SELECT) or, when its due moments need Python, a chunk of bare keys at a time: memory stays
    flat and the number of queries constant until a Python source finds more than ROWS_PER_STATEMENT.
    `incremental` (the scheduled sweep) asks the sources that declare how (changes only, or their due moments)
    about the campaigns changed or due since the last run alone, once a full run stored the due moments.
    """
    now = now or timezone.now()
    result = ReminderSweepResult()
    full = not sweep_marks.sweep_runs_incrementally(sweep_marks.REMINDERS, full=not incremental, now=now)
    sources = list(reminder_sources.sources.values())
    with transaction.atomic():
        if full:
            sweep_marks.sweep_marks_clear(sweep_marks.REMINDERS)
            for source in sources:
                _store(source, result, now)
            sweep_marks.sweep_due_store(sweep_marks.REMINDERS, _due_moments(Campaign.objects.open(), now), now)
        else:
            looked_at = sweep_marks.sweep_marks_take(sweep_marks.REMINDERS, now)
            result.looked_at = len(looked_at)
            for source in sources:
                if not source.incremental:
                    _store(source, result, now)
            for chunk in chunked(looked_at):
                for source in sources:
                    if source.incremental:
                        _store(source, result, now, chunk)
                mine = Campaign.objects.open().filter(pk__in=chunk)
                sweep_marks.sweep_due_store(sweep_marks.REMINDERS, _due_moments(mine, now), now, chunk)
        result.failed_stale, result.queued = outbox.enqueue_due(Reminder, SEND_TASK, now, enqueue=enqueue)
        sweep_marks.sweep_completed(sweep_marks.REMINDERS, now, full=full, wrote=[Reminder])
    return result


def _due_moments(open_campaigns, now: datetime.datetime) -> list[QuerySet]:
    return [source.due(open_campaigns, now) for source in reminder_sources.sources.values() if source.due is not None]


class SendFailure(enum.Enum):
    RETRY = "retry"  # the network, a stalled server or a 4xx: this message again after a back-off
    PAUSE = "pause"  # the server refuses us, not this message: all e-mail waits, then this message again
    PERMANENT = "permanent"  # about this recipient or this message's data (or a bug): another try changes nothing


def classify_failure(error: Exception) -> SendFailure:
    """What an SMTP answer (or its absence) says about the message: the reply code and the stage it came at."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        temporary = any(code < 500 for code, _ in error.recipients.values())
        return SendFailure.RETRY if temporary else SendFailure.PERMANENT
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPSenderRefused)):
        # The greeting, HELO/EHLO or MAIL FROM: about this server and our sender, whoever the message is for.
        return SendFailure.PAUSE if error.smtp_code >= 500 else SendFailure.RETRY
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return SendFailure.PAUSE  # the operator's login settings: everything goes once they are mended
    if isinstance(error, smtplib.SMTPResponseException):  # DATA refused: this message's content
        return SendFailure.PERMANENT if error.smtp_code >= 500 else SendFailure.RETRY
    # OSError: refused, unreachable, timed out (EMAIL_TIMEOUT); the soft time limit: a server slower still.
    if isinstance(error, (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)):
        return SendFailure.RETRY
    return SendFailure.PERMANENT


def single_line(text: str) -> str:
    """Text fit for a header: line breaks (which models refuse, but older rows may hold) become spaces."""
    return " ".join(text.split())


def header_text(text: str) -> str:
    """A subject that folds cleanly: non-ASCII text as RFC 2047 encoded words short enough to follow "Subject:" on
    its first line. Django's own encoding makes words as long as a whole line, which the generator then moves to
    a line of their own, and the subject decoded with a leading space."""
    text = single_line(text)
    if text.isascii():
        return text
    return " ".join(Header(text, "utf-8", maxlinelen=60).encode().split())


def message_id(reminder: Reminder) -> str:
    """The same Message-ID for every copy of one outbox row, from its key (kind, subject, person, due moment)."""
    key = f"{reminder.kind}|{reminder.subject}|{reminder.person_id}|{reminder.due_at.isoformat()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder.{digest}@{domain}>"


def _answerer(reminder: Reminder) -> Person | None:
    """Who a reply reaches when nobody in particular acted (the tracker's own reminders): a lead of the campaign
    other than the recipient, the host's project lead first; without a campaign, an administrator of the
    recipient's company."""
    if reminder.campaign_id is None:
        admins = Person.objects.company_admins(reminder.person.organization_id)
        return admins.exclude(pk=reminder.person_id).order_by("pk").first()
    host = Party.objects.filter(
        campaign_id=reminder.campaign_id, organization_id=OuterRef("person__organization_id"), role=Party.Role.HOST
    )
    leads = (
        Member.objects.filter(campaign_id=reminder.campaign_id, person__is_active=True)
        .filter(Q(is_project_lead=True) | Q(is_decision_maker=True))
        .exclude(person_id=reminder.person_id)
        .annotate(of_host=Exists(host))
        .select_related("person")
        .order_by("-of_host", "-is_project_lead", "pk")
    )
    lead = leads.first()
    return lead.person if lead else None


def _senders(reminder: Reminder) -> tuple[str, list[str]]:
    """From and Reply-To: the tracker's address always (mail systems check the sender's domain), in the name of
    the person who acted ("Maria Lopez via Co-marketing tracker"); replies go to them, or to whoever answers for
    the campaign."""
    tracker, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    acting = reminder.sent_for
    from_email = settings.DEFAULT_FROM_EMAIL
    if acting is not None:
        from_email = formataddr((f"{single_line(acting.full_name)} via {tracker or 'the tracker'}", address))
    answering = acting or _answerer(reminder)
    reply_to = [formataddr((single_line(answering.full_name), answering.email))] if answering else []
    return from_email, reply_to


class TrackerEmail(EmailMultiAlternatives):
    """Django's e-mail with a subject that decodes as it was written (`header_text`)."""

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        del message["Subject"]
        message["Subject"] = header_text(self.subject)
        return message


def email_of(reminder: Reminder) -> EmailMultiAlternatives:
    """The e-mail of an outbox row, as it is sent."""
    from_email, reply_to = _senders(reminder)
    message = TrackerEmail(
        subject=single_line(reminder.subject_line),
        body=reminder.body_text,
        from_email=from_email,
        reply_to=reply_to,
        to=[formataddr((single_line(reminder.person.full_name), reminder.person.email))],
        headers={
            "Message-ID": message_id(reminder),
            "X-Reminder-Id": str(reminder.pk),
            "X-Reminder-Kind": reminder.kind,
        },
    )
    if reminder.body_html:
        draw_images = reminder_sources.sources[reminder.kind].images
        body_html, images = draw_images(reminder.body_html) if draw_images else (reminder.body_html, {})
        message.attach_alternative(body_html, "text/html")
        for cid, png in images.items():
            # Parts of the HTML body (multipart/related), not attachments: shown where the body says.
            message.mixed_subtype = "related"
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid.split('@')[0]}.png")
            message.attach(image)
    return message


def reminder_render(reminder: Reminder) -> Reminder:
    """Write the e-mail of an outbox row from its source, once (the sweep stores bare keys); event notices,
    composed when they were made, are left as they are. A retry sends what the first attempt wrote."""
    render = reminder_sources.sources[reminder.kind].render
    if reminder.body_text or render is None:
        return reminder
    message = render(reminder)
    reminder.subject_line, reminder.body_text, reminder.body_html = (
        message.subject_line[:255],
        message.body_text,
        message.body_html,
    )
    Reminder.objects.filter(pk=reminder.pk).update(
        subject_line=reminder.subject_line, body_text=reminder.body_text, body_html=reminder.body_html
    )
    return reminder


def _recheck(reminder: Reminder) -> None:
    """What holds for every kind at the moment of sending (each source re-checks its own condition as it
    renders): the recipient has not turned this kind off since it was queued, and their company still takes
    part in the reminder's campaign (or, for a kind written for people outside it, its own check passes)."""
    if not reachable(reminder.person):
        raise reminder_sources.NoLongerDue(f"{reminder.person.full_name} was deactivated by their company.")
    if ReminderOptOut.objects.filter(person_id=reminder.person_id, kind=reminder.kind).exists():
        raise reminder_sources.NoLongerDue("The recipient turned this kind of reminder off.")
    recipient_check = reminder_sources.sources[reminder.kind].recipient_check
    if recipient_check is not None:
        recipient_check(reminder)
    elif reminder.campaign_id is not None:
        organization = reminder.person.organization
        if not Party.objects.filter(campaign_id=reminder.campaign_id, organization=organization).exists():
            raise reminder_sources.NoLongerDue(f"{organization} no longer takes part in “{reminder.campaign}”.")


def reminder_send(*, reminder_id: int, now: datetime.datetime | None = None) -> outbox.SendOutcome:
    """Send one outbox row if this caller wins its claim; transient failures go back to pending with a back-off
    until the retry window is over, then the row ends failed with the error kept for the admin."""
    now = now or timezone.now()
    if not outbox.claim(Reminder, reminder_id, now):
        return outbox.SendOutcome("skipped")
    reminder = Reminder.objects.select_related("person__organization", "campaign", "sent_for").get(pk=reminder_id)
    pause = outbox.pause_of(SendingPause.MAIL)
    if until := outbox.paused_until(pause, now):
        waiting = f"Waiting: e-mail is paused until {until:%Y-%m-%d %H:%M} UTC ({pause.reason})"
        return outbox.after_failure(reminder, waiting, now=now, transient=True, not_before=until)
    try:
        _recheck(reminder)
        reminder_render(reminder)
    except reminder_sources.NoLongerDue as cleared:
        return outbox.mark_dropped(reminder, str(cleared))
    except Exception as error:
        logger.exception("Reminder %s could not be written", reminder_id)
        return outbox.after_failure(reminder, f"{type(error).__name__}: {error}", now=now, transient=False)
    try:
        email_of(reminder).send()
    except Exception as error:
        failure, text = classify_failure(error), f"{type(error).__name__}: {error}"
        if failure is SendFailure.PERMANENT:
            logger.exception("Reminder %s could not be sent", reminder_id)
            return outbox.after_failure(reminder, text, now=now, transient=False)
        until = None
        if failure is SendFailure.PAUSE:
            logger.error("E-mail paused for %s s: %s", settings.EMAIL_PAUSE_SECONDS, text)
            until = outbox.pause_after_failure(SendingPause.MAIL, text, now=now, seconds=settings.EMAIL_PAUSE_SECONDS)
        return outbox.after_failure(reminder, text, now=now, transient=True, not_before=until)
    if pause is not None:
        outbox.resume(SendingPause.MAIL)
    return outbox.mark_sent(reminder, timezone.now())


def reminder_recipient_of(user) -> Person:
    """The person whose reminders a login manages; a login without one cannot opt out of anything."""
    person = person_of(user)
    if person is None:
        raise ValidationError("Only a login that belongs to a person of a company receives reminders.")
    return person


@transaction.atomic
def reminder_opt_out(*, person: Person, kind: str) -> ReminderOptOut:
    existing = ReminderOptOut.objects.filter(person=person, kind=kind).first()
    return existing or save_validated(ReminderOptOut(person=person, kind=kind))
