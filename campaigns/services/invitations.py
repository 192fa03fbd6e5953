"""Joining by consent, and leaving: invitations, their answers, removal, leaving and handing over the host role.

Who may call each service is the caller's check (the scoping mechanism's rules for "add", "change",
"answer", "delete"); the rules that hold whoever calls are here.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Invitation, Member, Party, Reminder
from campaigns.outbox.notices import CAMPAIGN_CHANGE, INVITATION, PARTY_ENDED, campaign_leads, notice_send
from campaigns.registries.answers import Answer, answer
from campaigns.registries.joins import on_company_joined
from campaigns.registries.reminder_sources import day_label
from campaigns.services.answers import answer_links
from campaigns.services.kickoff import kickoff_part_get_or_create
from campaigns.services.plans import plan_fill_roles
from partners.models import Organization, Person
from partners.scoping import ensure_may
from partners.services import company_user_create, person_of
from partners.welcome import welcome_link_closer, welcome_path
from utilities.limits import LimitReached, free_again_at
from utilities.validation import save_validated


def host_of(campaign: Campaign) -> Organization | None:
    party = Party.objects.filter(campaign=campaign, role=Party.Role.HOST).select_related("organization").first()
    return party.organization if party else None


def _ensure_can_take_part(campaign: Campaign, organization: Organization) -> None:
    if not campaign.is_open:
        raise ValidationError("A closed or cancelled campaign takes no new companies.")
    if Party.objects.filter(campaign=campaign, organization=organization).exists():
        raise ValidationError({"organization": f"{organization} already takes part in this campaign."})


def ensure_can_be_invited(campaign: Campaign, organization: Organization) -> None:
    """The rules an invitation to a company in the tracker must meet (forms check them before saving too)."""
    _ensure_can_take_part(campaign, organization)
    if Invitation.objects.pending().filter(campaign=campaign, organization=organization, contact=None).exists():
        raise ValidationError({"organization": "This company already has an invitation to this campaign waiting."})


def ensure_may_invite_new_company(user: Any, campaign: Campaign) -> None:
    """Inviting a company new to the tracker is for the host's decision makers and project leads on the campaign
    (the rules' "invite_new_company"); refused (403) with who may."""
    ensure_may(user, campaign, "invite_new_company")


def _when(moment: datetime.datetime, person: Person) -> str:
    local = timezone.localtime(moment, person.zone)
    return f"{local:%d %b %Y, %H:%M} ({person.time_zone})"


def ensure_within_invitation_limits(*, user: Any, new_company: bool) -> None:
    """A company sends at most INVITATIONS_PER_COMPANY_PER_DAY invitations in any 24 hours, and of them at most
    NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY by e-mail (those create a login and write to an address nobody
    vouched for); withdrawn ones count. The operator is not limited. Refused with when it may invite again."""
    person = person_of(user)
    if person is None:
        return
    window = datetime.timedelta(days=1)
    sent = Invitation.objects.filter(
        invited_by__organization_id=person.organization_id, created_at__gt=timezone.now() - window
    ).order_by("-created_at")
    limits = [(sent, settings.INVITATIONS_PER_COMPANY_PER_DAY, "invitations")]
    if new_company:
        limits.append(
            (
                sent.filter(contact__isnull=False),
                settings.NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY,
                "invitations of companies new to the tracker",
            )
        )
    for rows, limit, what in limits:
        retry_at = free_again_at(list(rows.values_list("created_at", flat=True)[:limit]), limit, window)
        if retry_at is not None:
            raise LimitReached(
                f"Your company has sent {limit} {what} in the last 24 hours, as many as it may. You can invite "
                f"again from {_when(retry_at, person)}.",
                retry_at,
            )


def _invitation_link(invitation: Invitation) -> str:
    return reverse("admin:campaigns_invitation_change", args=[invitation.pk])


def _mailed_lately(campaign: Campaign, people: list[Person]) -> set[int]:
    """People already e-mailed an invitation to this campaign within INVITATION_EMAIL_COOLDOWN_DAYS (sent, or being
    sent): withdrawn and made again, it shows in the tracker but is not e-mailed again. One still waiting in the
    outbox does not count: its invitation was withdrawn, so it is dropped unsent."""
    since = timezone.now() - datetime.timedelta(days=settings.INVITATION_EMAIL_COOLDOWN_DAYS)
    mailed = Reminder.objects.filter(
        kind=INVITATION,
        campaign=campaign,
        person__in=people,
        due_at__gte=since,
        status__in=(Reminder.Status.SENDING, Reminder.Status.SENT),
    )
    return set(mailed.values_list("person_id", flat=True))


def _tell_invited(invitation: Invitation, people: list[Person], link_path: str, *, one_click: bool = True) -> None:
    """`one_click`: the message carries each person's "Accept" link (not to a new company's contact, who first
    chooses a password through the welcome link)."""
    campaign = invitation.campaign
    mailed = _mailed_lately(campaign, people)
    people = [person for person in people if person.pk not in mailed]
    host = host_of(campaign)
    inviter = invitation.invited_by.full_name if invitation.invited_by else host
    dates = " to ".join(day_label(day) for day in (campaign.launch_date, campaign.end_date) if day)
    named_otherwise = invitation.invited_name and invitation.invited_name != invitation.organization.name
    invited_as = f" (as “{invitation.invited_name}”)" if named_otherwise else ""
    paragraphs = [
        f"{inviter} of {host} invites {invitation.organization}{invited_as} to take part in “{campaign}”, "
        f"a {campaign.get_kind_display().lower()}" + (f" ({dates})." if dates else "."),
        "Nothing of your company is shared with them until you accept; you can also decline.",
    ]
    if invitation.message:
        # Their words, quoted as text: the HTML body escapes them, and neither body makes links of them.
        paragraphs.append(f"Their message, as they wrote it: “{invitation.message}”")
    notice_send(
        kind=INVITATION,
        subject=f"invitation:{invitation.pk}",
        people=people,
        campaign=campaign,
        subject_line=f"{host} invites you to “{campaign}”",
        paragraphs=paragraphs,
        link_path=link_path,
        at=invitation.created_at,
        answers=(lambda person: answer_links("invitation", invitation, person)) if one_click else None,
        sent_for=invitation.invited_by,
    )


def _company_logins(organization: Organization) -> list[Person]:
    return list(Person.objects.filter(organization=organization, user__is_active=True).order_by("full_name"))


def _lock_inviting_company(user: Any) -> None:
    """Invitations of one company are counted against its limits one at a time."""
    person = person_of(user)
    if person is not None:
        Organization.objects.select_for_update().filter(pk=person.organization_id).first()


@transaction.atomic
def invitation_create(*, user: Any, campaign: Campaign, organization: Organization, message: str = "") -> Invitation:
    """Invite a company to a campaign; its people with a login are e-mailed (once, through the outbox)."""
    _lock_inviting_company(user)
    ensure_within_invitation_limits(user=user, new_company=False)
    ensure_can_be_invited(campaign, organization)
    invitation = save_validated(
        Invitation(
            campaign=campaign,
            organization=organization,
            invited_name=organization.name,
            message=message,
            invited_by=person_of(user),
        )
    )
    _tell_invited(invitation, _company_logins(organization), _invitation_link(invitation))
    return invitation


def _free_company_name(name: str) -> str:
    """`name`, or, when a company of that name exists, the first of "name (2)", "name (3)"… that does not."""
    candidate, number = name, 1
    while Organization.objects.filter(name__iexact=candidate).exists():
        number += 1
        candidate = f"{name[: 200 - len(str(number)) - 3]} ({number})"
    return candidate


@transaction.atomic
def invitation_create_for_new_company(
    *, user: Any, campaign: Campaign, company_name: str, contact_name: str, contact_email: str, message: str = ""
) -> Invitation:
    """Invite a company by its contact's e-mail. The host learns nothing of who is in the tracker: whatever the
    address and name, the invitation is made, and shows the name the host gave until it is accepted.

    - An address with a login already: the invitation goes to that person's company, which answers it like any
      invitation (its people join only once it accepts); only that person is e-mailed.
    - Otherwise the company and its contact are created (the contact with no password; a company name taken
      already gets a number), and the contact gets a signed link to set one, log in and answer."""
    ensure_may_invite_new_company(user, campaign)
    _lock_inviting_company(user)
    ensure_within_invitation_limits(user=user, new_company=True)
    if not campaign.is_open:
        raise ValidationError("A closed or cancelled campaign takes no new companies.")
    name, email = company_name.strip(), contact_email.strip()
    login = get_user_model().objects.filter(username__iexact=email).select_related("person__organization").first()
    contact = getattr(login, "person", None) if login is not None else None
    if contact is None:
        organization = save_validated(Organization(name=_free_company_name(name), listed_in_directory=False))
        if login is None:
            contact = company_user_create(
                organization=organization, email=email, full_name=contact_name.strip(), password=None
            )
        else:  # a login of no company (the operator's own): the company gets its contact, who gets no e-mail
            contact = save_validated(Person(organization=organization, email=email, full_name=contact_name.strip()))
    invitation = save_validated(
        Invitation(
            campaign=campaign,
            organization=contact.organization,
            contact=contact,
            invited_name=name,
            message=message,
            invited_by=person_of(user),
        )
    )
    if contact.user is not None and contact.user.is_active:
        has_password = contact.user.has_usable_password()
        link = _invitation_link(invitation) if has_password else welcome_path(contact.user)
        _tell_invited(invitation, [contact], link, one_click=False)
    return invitation


@welcome_link_closer
def _welcome_invitation_over(user: Any) -> str | None:
    """The welcome link of a new company's contact works while the invitation it came with waits for an answer
    (or was accepted); withdrawn or declined, it no longer does."""
    invitation = Invitation.objects.filter(contact__user=user).select_related("campaign").first()  # the latest
    if invitation is None or invitation.status in (Invitation.Status.PENDING, Invitation.Status.ACCEPTED):
        return None
    status = invitation.get_status_display().lower()
    return f"The invitation to “{invitation.campaign}” was {status}, so this link no longer works."


def _locked_pending(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("campaign", "organization").get(pk=invitation.pk)
    if not locked.is_pending:
        raise ValidationError(f"This invitation is no longer waiting for an answer: {locked.get_status_display()}.")
    return locked


def _close(invitation: Invitation, status: str, user: Any, reason: str = "") -> Invitation:
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.answered_by = person_of(user)
    invitation.reason = reason[:500]
    invitation._history_user = user
    return save_validated(invitation)


def _tell_leads(campaign: Campaign, event: str, subject_line: str, paragraphs: list[str], user: Any) -> None:
    notice_send(
        sent_for=person_of(user),
        kind=CAMPAIGN_CHANGE,
        subject=f"campaign:{campaign.pk}:{event}",
        people=campaign_leads(campaign),
        campaign=campaign,
        subject_line=subject_line,
        paragraphs=paragraphs,
        link_path=reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: Any) -> Party:
    """The invited company joins: it becomes a partner (again, if it had left), the accepting person joins the
    team as its point of contact, its part of the kickoff questionnaire is started, the plan's work on its channel
    gets its R and A, and other apps react (meetings adds its team to the meeting series). Its other invitations
    to the campaign waiting (one by name, one to one of its people's addresses) are answered with it; one to a
    company that takes part already just closes."""
    invitation = _locked_pending(invitation)
    campaign, organization = invitation.campaign, invitation.organization
    if not campaign.is_open:
        raise ValidationError("A closed or cancelled campaign takes no new companies.")
    waiting = Invitation.objects.pending().filter(campaign=campaign, organization=organization)
    party = Party.objects.filter(campaign=campaign, organization=organization).first()
    if party is not None:
        for other in waiting:
            _close(other, Invitation.Status.ACCEPTED, user)
        return party
    person = person_of(user)
    contact = person if person and person.organization_id == organization.pk else None
    party = Party.all_objects.filter(campaign=campaign, organization=organization).first()
    if party is None:
        party = Party(campaign=campaign, organization=organization)
    party.role, party.left_at, party.joined_at = Party.Role.PARTNER, None, timezone.now()
    party.point_of_contact = party.point_of_contact or contact
    party._history_user = user
    save_validated(party)
    if contact is not None and not Member.objects.filter(campaign=campaign, person=contact).exists():
        save_validated(Member(campaign=campaign, person=contact))
    for other in waiting:
        _close(other, Invitation.Status.ACCEPTED, user)
    kickoff_part_get_or_create(campaign=campaign, organization=organization)
    plan_fill_roles(campaign=campaign)
    for react in on_company_joined:
        react(party, user)
    _tell_leads(
        campaign,
        f"joined:{party.pk}:{invitation.pk}",
        f"{organization} joined “{campaign}”",
        [f"{organization} accepted the invitation and now takes part in “{campaign}”."],
        user,
    )
    return party


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: Any, reason: str = "") -> Invitation:
    invitation = _close(_locked_pending(invitation), Invitation.Status.DECLINED, user, reason)
    because = f" Their reason: {reason}" if reason else ""
    invitee = invitation.invitee_name  # the name the host gave, for an invitation by e-mail
    _tell_leads(
        invitation.campaign,
        f"declined:{invitation.pk}",
        f"{invitee} declined “{invitation.campaign}”",
        [f"{invitee} declined the invitation to “{invitation.campaign}”.{because}"],
        user,
    )
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, user: Any) -> Invitation:
    return _close(_locked_pending(invitation), Invitation.Status.WITHDRAWN, user)


@transaction.atomic
def party_end(*, party: Party, user: Any) -> Party:
    """A company leaves the campaign, or the host removes it. Its rows stay (history, deliverables, notes) but
    it no longer sees or changes anything of the campaign. The host hands its role over before leaving."""
    party = Party.objects.select_for_update().select_related("campaign", "organization").get(pk=party.pk)
    if party.role == Party.Role.HOST:
        raise ValidationError("The host cannot leave its campaign: hand the host role to a partner company first.")
    campaign = party.campaign
    actor = person_of(user)
    leaving = actor is not None and actor.organization_id == party.organization_id
    # Found before the row changes: once it has left, nothing about the campaign reaches its people but this.
    departing = [person for person in campaign_leads(campaign) if person.organization_id == party.organization_id]
    party.left_at = timezone.now()
    party._history_user = user
    party.save(update_fields=["left_at"])
    if leaving:
        subject_line, sentence = f"{party.organization} left “{campaign}”", f"{party.organization} left “{campaign}”."
    else:
        host = host_of(campaign)
        subject_line = f"{host} removed {party.organization} from “{campaign}”"
        sentence = f"{host} removed {party.organization} from “{campaign}”."
    paragraphs = [
        sentence,
        "Its records on the campaign are kept as history; it no longer sees the campaign, and its people get no "
        "more reminders, notices or webhook events about it.",
    ]
    event = f"left:{party.pk}:{party.left_at:%Y%m%d%H%M%S}"
    _tell_leads(campaign, event, subject_line, paragraphs, user)
    notice_send(
        sent_for=person_of(user),
        kind=PARTY_ENDED,
        subject=f"campaign:{campaign.pk}:{event}",
        people=departing,
        campaign=campaign,
        subject_line=subject_line,
        paragraphs=paragraphs,
        link_path=reverse("admin:index"),  # the campaign's own pages are closed to them now
    )
    return party


@transaction.atomic
def host_hand_over(*, campaign: Campaign, to: Party, user: Any) -> Party:
    """Make a partner company the host; the former host becomes a partner."""
    if to.campaign_id != campaign.pk or to.left_at is not None:
        raise ValidationError({"organization": "The new host must be a company taking part in this campaign."})
    if to.role == Party.Role.HOST:
        raise ValidationError({"organization": f"{to.organization} is the host already."})
    current = Party.objects.select_for_update().get(campaign=campaign, role=Party.Role.HOST)
    for party, role in ((current, Party.Role.PARTNER), (to, Party.Role.HOST)):  # one host at every moment
        party.role = role
        party._history_user = user
        party.save(update_fields=["role"])
    _tell_leads(
        campaign,
        f"host:{to.pk}:{timezone.now():%Y%m%d%H%M%S}",
        f"{to.organization} now hosts “{campaign}”",
        [f"{current.organization} handed the host role of “{campaign}” to {to.organization}."],
        user,
    )
    return to


def campaign_status_notice(campaign: Campaign, user: Any) -> None:
    """Cancelling or closing a campaign is told to the leads of every company."""
    if campaign.status not in Campaign.CLOSED_STATUSES:
        return
    host = host_of(campaign)
    verb = "cancelled" if campaign.status == Campaign.Status.CANCELLED else "closed"
    actor = person_of(user)
    by = f"{actor.full_name} of {host}" if actor else str(host)
    _tell_leads(campaign, verb, f"“{campaign}” was {verb}", [f"{by} {verb} the joint campaign “{campaign}”."], user)


answer(
    Answer(
        kind="invitation",
        action="accept",
        label="Accept",
        model=Invitation,
        rule="answer",
        describe=lambda invitation: f"the invitation of {invitation.organization} to “{invitation.campaign}”",
        state=lambda invitation: {"status": invitation.get_status_display()},
        perform=lambda invitation, user, note: invitation_accept(invitation=invitation, user=user),
    )
)
