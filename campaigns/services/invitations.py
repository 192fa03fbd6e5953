"""Joining by consent, and leaving: invitations, their answers, removal, leaving and handing over the host role.

Who may call each service is the caller's check (the scoping mechanism's rules for "add", "change",
"answer", "delete"); the rules that hold whoever calls are here.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Invitation, Member, Party
from campaigns.outbox.notices import CAMPAIGN_CHANGE, INVITATION, PARTY_ENDED, campaign_leads, notice_send
from campaigns.services.plans import plan_fill_roles
from partners.models import Organization, Person
from partners.services import company_user_create, person_of
from partners.welcome import welcome_link_closer, welcome_path
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
    if Invitation.objects.pending().filter(campaign=campaign, organization=organization).exists():
        raise ValidationError({"organization": "This company already has an invitation to this campaign waiting."})


def ensure_new_company_can_be_invited(company_name: str, contact_email: str) -> None:
    """A new company's name and its contact's e-mail must be new to the tracker (told without naming anyone)."""
    if Organization.objects.filter(name__iexact=company_name.strip()).exists():
        raise ValidationError({"company_name": "A company of this name is in the tracker already: invite it by name."})
    if Person.objects.filter(email__iexact=contact_email.strip()).exists():
        raise ValidationError(
            {
                "contact_email": "This address cannot be invited as a new company. If the company already uses the "
                "tracker, invite it by name."
            }
        )


def _invitation_link(invitation: Invitation) -> str:
    return reverse("admin:campaigns_invitation_change", args=[invitation.pk])


def _tell_invited(invitation: Invitation, people: list[Person], link_path: str) -> None:
    campaign = invitation.campaign
    host = host_of(campaign)
    inviter = invitation.invited_by.full_name if invitation.invited_by else host
    dates = " to ".join(str(day) for day in (campaign.launch_date, campaign.end_date) if day)
    paragraphs = [
        f"{inviter} of {host} invites {invitation.organization} to take part in “{campaign}”, "
        f"a {campaign.get_kind_display().lower()}" + (f" ({dates})." if dates else "."),
        "Nothing of your company is shared with them until you accept; you can also decline.",
    ]
    if invitation.message:
        paragraphs.append(f"Their message: {invitation.message}")
    notice_send(
        kind=INVITATION,
        subject=f"invitation:{invitation.pk}",
        people=people,
        campaign=campaign,
        subject_line=f"{host} invites you to “{campaign}”",
        paragraphs=paragraphs,
        link_path=link_path,
        at=invitation.created_at,
    )


def _company_logins(organization: Organization) -> list[Person]:
    return list(Person.objects.filter(organization=organization, user__is_active=True).order_by("full_name"))


@transaction.atomic
def invitation_create(*, user: Any, campaign: Campaign, organization: Organization, message: str = "") -> Invitation:
    """Invite a company to a campaign; its people with a login are e-mailed (once, through the outbox)."""
    ensure_can_be_invited(campaign, organization)
    invitation = save_validated(
        Invitation(campaign=campaign, organization=organization, message=message, invited_by=person_of(user))
    )
    _tell_invited(invitation, _company_logins(organization), _invitation_link(invitation))
    return invitation


@transaction.atomic
def invitation_create_for_new_company(
    *, user: Any, campaign: Campaign, company_name: str, contact_name: str, contact_email: str, message: str = ""
) -> Invitation:
    """Invite a company that is not in the tracker yet: it and its contact are created (the contact with no
    password), and the contact gets a signed link to set one, log in and answer."""
    ensure_new_company_can_be_invited(company_name, contact_email)
    organization = save_validated(Organization(name=company_name.strip(), listed_in_directory=False))
    contact = company_user_create(
        organization=organization, email=contact_email.strip(), full_name=contact_name.strip(), password=None
    )
    ensure_can_be_invited(campaign, organization)
    invitation = save_validated(
        Invitation(
            campaign=campaign, organization=organization, contact=contact, message=message, invited_by=person_of(user)
        )
    )
    _tell_invited(invitation, [contact], welcome_path(contact.user))
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


def _tell_leads(campaign: Campaign, event: str, subject_line: str, paragraphs: list[str]) -> None:
    notice_send(
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
    """The invited company joins: it becomes a partner (again, if it had left) and the accepting person joins
    the team as its point of contact."""
    invitation = _locked_pending(invitation)
    campaign, organization = invitation.campaign, invitation.organization
    _ensure_can_take_part(campaign, organization)
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
    _close(invitation, Invitation.Status.ACCEPTED, user)
    plan_fill_roles(campaign=campaign)
    _tell_leads(
        campaign,
        f"joined:{party.pk}:{invitation.pk}",
        f"{organization} joined “{campaign}”",
        [f"{organization} accepted the invitation and now takes part in “{campaign}”."],
    )
    return party


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: Any, reason: str = "") -> Invitation:
    invitation = _close(_locked_pending(invitation), Invitation.Status.DECLINED, user, reason)
    because = f" Their reason: {reason}" if reason else ""
    _tell_leads(
        invitation.campaign,
        f"declined:{invitation.pk}",
        f"{invitation.organization} declined “{invitation.campaign}”",
        [f"{invitation.organization} declined the invitation to “{invitation.campaign}”.{because}"],
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
    _tell_leads(campaign, event, subject_line, paragraphs)
    notice_send(
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
    _tell_leads(campaign, verb, f"“{campaign}” was {verb}", [f"{by} {verb} the joint campaign “{campaign}”."])
