"""Messages caused by an event (an invitation, a campaign cancelled, a company leaving, approved content changed).

They go through the reminder outbox like every reminder: one row per recipient, keyed by (kind, subject,
recipient, moment of the event), so a service retried after an error never sends twice, and a row whose
message is lost on the way is enqueued again by the next reminder sweep.

Like every reminder about a campaign, a notice goes to people of the companies taking part in it, checked again
when it is sent. Two kinds are written for a company outside it: an invitation (sent while it waits for an
answer) and the notice to a company that left or was removed (sent unless it has joined again since).
"""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, Comment, Invitation, Member, Party, Reminder, ReminderOptOut, company_takes_part
from campaigns.outbox.reminders import SEND_TASK, reachable
from campaigns.registries import digest, reminder_sources
from partners.governance import colleague_invitation_sender
from partners.models import Person
from utilities.tasks import enqueue_on_commit

INVITATION = "invitation"
CAMPAIGN_CHANGE = "campaign_change"
PARTY_ENDED = "party_ended"
RESULTS_REPORT = "results_report"
SIGNOFF_REQUEST = "signoff_request"
COLLEAGUE_INVITATION = "colleague_invitation"
APPROVED_CONTENT_CHANGED = "approved_content_changed"
COMMENT = "comment"


def _invitation_still_waiting(reminder: Reminder) -> None:
    invitation = Invitation.objects.get(pk=reminder_sources.subject_id(reminder))
    if not invitation.is_pending:
        raise reminder_sources.NoLongerDue(
            f"The invitation was {invitation.get_status_display().lower()} before this message went out."
        )


# Composed when the event happens (render=None): the message tells what happened then.
@reminder_sources.reminder_source(
    INVITATION, label="Invitation to a campaign", render=None, recipient_check=_invitation_still_waiting
)
def _no_scheduled_invitations(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when the invitation is made, never found by the sweep


@reminder_sources.reminder_source(
    CAMPAIGN_CHANGE, label="Campaign cancelled or closed, a company joining or leaving", render=None
)
def _no_scheduled_changes(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()


def _company_still_gone(reminder: Reminder) -> None:
    organization_id = reminder.person.organization_id
    if Party.objects.filter(campaign_id=reminder.campaign_id, organization_id=organization_id).exists():
        raise reminder_sources.NoLongerDue(f"{reminder.person.organization} has joined “{reminder.campaign}” again.")


@reminder_sources.reminder_source(
    PARTY_ENDED,
    label="Your company left or was removed from a campaign",
    render=None,
    recipient_check=_company_still_gone,
)
def _no_scheduled_departures(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()


@reminder_sources.reminder_source(RESULTS_REPORT, label="A campaign's results report is ready", render=None)
def _no_scheduled_reports(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()


@reminder_sources.reminder_source(SIGNOFF_REQUEST, label="Sign-off or legal review requested", render=None)
def _no_scheduled_review_requests(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when the request is made


@reminder_sources.reminder_source(
    APPROVED_CONTENT_CHANGED, label="A deliverable you approved changed: review it again", render=None
)
def _no_scheduled_content_changes(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when the change is saved


@reminder_sources.reminder_source(COMMENT, label="A comment that mentions you or is on your work", render=None)
def _no_scheduled_comments(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when the comment is saved


@digest.digest_source
def comments_mentioning(person_ids: list[int], now: datetime.datetime) -> list[digest.DigestLine]:
    """The digest option of comments: who turned off their e-mail (opted out of the kind) finds the last week's
    comments mentioning them in their weekly digest instead. One query."""
    mentions = (
        Comment.mentioned.through.objects.filter(
            person_id__in=ReminderOptOut.objects.filter(kind=COMMENT, person_id__in=person_ids).values("person_id"),
            comment__created_at__gt=now - datetime.timedelta(days=7),
        )
        .filter(company_takes_part("comment__campaign_id", "person__organization_id"))
        .values_list("person_id", "comment__campaign_id", "comment__campaign__name", "comment__author__full_name")
        .order_by("comment__created_at", "pk")
    )
    return [
        digest.DigestLine(
            person_id=person_id,
            campaign_id=campaign_id,
            text=f"{author or 'The operator'} mentioned you in a comment ({campaign_name})",
        )
        for person_id, campaign_id, campaign_name, author in mentions
    ]


@reminder_sources.reminder_source(COLLEAGUE_INVITATION, label="Invitation from your own company", render=None)
def _no_scheduled_colleague_invitations(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when an administrator invites a colleague


@colleague_invitation_sender
def _tell_invited_colleague(person: Person, link_path: str, invited_by: Person | None) -> None:
    """The welcome e-mail of a colleague invited by their company's administrator, through the outbox."""
    inviter = invited_by.full_name if invited_by else "Your company's administrator"
    notice_send(
        kind=COLLEAGUE_INVITATION,
        subject=f"colleague:{person.pk}",
        people=[person],
        campaign=None,
        subject_line=f"{inviter} invites you to {person.organization}'s co-marketing tracker",
        paragraphs=[
            f"{inviter} gave you a login to the co-marketing tracker of {person.organization}, where your "
            "company plans its joint campaigns with its partners.",
            "Choose your password with the link below; it works once, for "
            f"{settings.PASSWORD_RESET_TIMEOUT // 86400} days.",
        ],
        link_path=link_path,
        sent_for=invited_by,
    )


def campaign_leads(campaign: Campaign) -> list[Person]:
    """Decision makers and project leads of every party, and each party's point of contact (of the companies
    taking part now: one that left keeps its team rows as history)."""
    parties = Party.objects.filter(campaign=campaign)
    members = Member.objects.filter(campaign=campaign, person__organization__in=parties.values("organization_id"))
    leads = members.filter(Q(is_decision_maker=True) | Q(is_project_lead=True)).values("person_id")
    contacts = parties.filter(point_of_contact__isnull=False).values("point_of_contact_id")
    return list(Person.objects.filter(Q(pk__in=leads) | Q(pk__in=contacts)).order_by("full_name"))


def notice_send(
    *,
    kind: str,
    subject: str,
    people: Iterable[Person],
    campaign: Campaign | None,
    subject_line: str | Callable[[Person], str],
    paragraphs: list[str] | Callable[[Person], list[str]],
    link_path: str,
    at: datetime.datetime | None = None,
    answers: Callable[[Person], list[tuple[str, str]]] | None = None,
    sent_for: Person | None = None,
) -> list[int]:
    """Put one message per person in the outbox (once per event) and send it when the transaction commits;
    about a campaign, only to people of the companies taking part in it (unless the kind has its own check).
    `subject_line` and `paragraphs` may be functions of the recipient (times in their zone); `answers` gives each
    person's one-click answer links (label, link), bound to them; `sent_for` is the person who acted: the message
    goes out in their name and replies reach them."""
    at = at or timezone.now()
    people = [person for person in people if reachable(person)]
    if campaign is not None and reminder_sources.sources[kind].recipient_check is None:
        parties = set(Party.objects.filter(campaign=campaign).values_list("organization_id", flat=True))
        people = [person for person in people if person.organization_id in parties]
    opted_out = set(ReminderOptOut.objects.filter(kind=kind, person__in=people).values_list("person_id", flat=True))
    link = reminder_sources.site_link(link_path)
    rows = []
    for person in people:
        if person.pk in opted_out:
            continue
        said = paragraphs(person) if callable(paragraphs) else paragraphs
        text, html = reminder_sources.compose(person.full_name, said, link, answers=answers(person) if answers else ())
        rows.append(
            Reminder(
                kind=kind,
                subject=subject,
                person=person,
                due_at=at,
                campaign=campaign,
                subject_line=(subject_line(person) if callable(subject_line) else subject_line)[:255],
                body_text=text,
                body_html=html,
                next_attempt_at=at,
                sent_for=sent_for,
            )
        )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    fresh = Reminder.objects.filter(kind=kind, subject=subject, due_at=at, enqueued_at__isnull=True)
    ids = list(fresh.values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    for reminder_id in ids:
        enqueue_on_commit(SEND_TASK, reminder_id)
    return ids
