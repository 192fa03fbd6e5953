"""Each company governs its own people: its administrators invite colleagues, grant and remove the administrator
role, deactivate and reactivate people (the rule "govern" of `PersonQuerySet`, applied by admin and API alike).

`partners` knows nothing of campaigns or meetings; they plug in here:
- `deactivation_hook`: what closes for a deactivated person besides their login (meetings revokes calendar feeds);
- `colleague_invitation_sender`: how the welcome e-mail goes out (campaigns writes it to its outbox);
- `responsibility_source`: the open work a person leaves behind, listed to their company's administrators.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Organization, Person
from partners.scoping import ensure_may, organization_id_of
from partners.services import company_user_create, person_of
from partners.welcome import welcome_link_closer, welcome_path

GOVERN = "govern"

DeactivationHook = Callable[[Person], None]
deactivation_hooks: list[DeactivationHook] = []


def deactivation_hook(hook: DeactivationHook) -> DeactivationHook:
    if hook not in deactivation_hooks:
        deactivation_hooks.append(hook)
    return hook


# (the invited person, the welcome link's path, who invited them)
InvitationSender = Callable[[Person, str, Person | None], None]
invitation_senders: list[InvitationSender] = []


def colleague_invitation_sender(sender: InvitationSender) -> InvitationSender:
    if sender not in invitation_senders:
        invitation_senders.append(sender)
    return sender


@dataclass(frozen=True)
class Responsibility:
    """One piece of open work a person holds: "Accountable for “Landing page” (Joint webinar)", with a link."""

    label: str
    path: str


ResponsibilitySource = Callable[[Person], list[Responsibility]]
responsibility_sources: list[ResponsibilitySource] = []


def responsibility_source(source: ResponsibilitySource) -> ResponsibilitySource:
    if source not in responsibility_sources:
        responsibility_sources.append(source)
    return source


@welcome_link_closer
def _welcome_of_a_deactivated_person(user: Any) -> str | None:
    if user.is_active:
        return None
    return "Your company deactivated your login, so this link no longer works."


def open_responsibilities(person: Person) -> list[Responsibility]:
    """What a person still holds (R/A on deliverables, pending decisions, open action items, point of contact…),
    to hand over when they leave."""
    return [item for source in responsibility_sources for item in source(person)]


def administers(user: Any) -> bool:
    """Whether `user` is an active administrator of their company (the operator administers no company)."""
    organization_id = organization_id_of(user)
    return organization_id is not None and Person.objects.company_admins(organization_id).filter(user=user).exists()


def ensure_company_admin(user: Any) -> Organization:
    """The company `user` administers; refused (403) for anyone else."""
    if not administers(user):
        raise PermissionDenied("Only the administrators of a company may invite its people.")
    return Organization.objects.get(pk=organization_id_of(user))


def _ensure_another_admin_stays(person: Person, doing: str) -> None:
    others = Person.objects.company_admins(person.organization_id).exclude(pk=person.pk)
    if person.is_company_admin and person.is_active and not others.exists():
        raise ValidationError(
            f"{person.full_name} is the last administrator of {person.organization}: make someone else an "
            f"administrator before you {doing}."
        )


def _locked(person: Person) -> Person:
    """The person as stored, locked, with the company's administrators locked too: two administrators removing
    each other at the same moment cannot leave the company with none."""
    list(Person.objects.company_admins(person.organization_id).select_for_update().values_list("pk", flat=True))
    return Person.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=person.pk)


def _save(person: Person, user: Any) -> Person:
    person._history_user = user
    person.save()  # only the changed fields, its version moved on
    return person


@transaction.atomic
def colleague_invite(*, user: Any, full_name: str, email: str, job_title: str = "") -> Person:
    """A new person of the administrator's company with a login and no password; they get the signed, expiring,
    single-use welcome link by e-mail (through the outbox) to choose one."""
    organization = ensure_company_admin(user)
    email = email.strip()
    if get_user_model().objects.filter(username__iexact=email).exists():
        raise ValidationError({"email": "This address already has a login: ask the operator to move it."})
    person = company_user_create(
        organization=organization, email=email, full_name=full_name.strip(), password=None, job_title=job_title
    )
    for send in invitation_senders:
        send(person, welcome_path(person.user), person_of(user))
    return person


@transaction.atomic
def company_admin_set(*, user: Any, person: Person, admin: bool) -> Person:
    """Grant or remove the administrator role; the last active administrator of a company keeps it."""
    ensure_may(user, person, GOVERN)
    person = _locked(person)
    if not admin:
        _ensure_another_admin_stays(person, "remove their role")
    elif not person.is_active:
        raise ValidationError(f"{person.full_name} is deactivated: reactivate them first.")
    person.is_company_admin = admin
    return _save(person, user)


@transaction.atomic
def person_deactivate(*, user: Any, person: Person) -> Person:
    """Deactivate a person who left: their login, sessions, API tokens and calendar feeds close now, reminders and
    digests stop and they are offered for no new work; their history, authorship and past attendance stay."""
    ensure_may(user, person, GOVERN)
    person = _locked(person)
    if not person.is_active:
        return person
    if person.user_id is not None and person.user_id == user.pk:
        raise ValidationError("You cannot deactivate yourself: ask another administrator of your company.")
    _ensure_another_admin_stays(person, "deactivate them")
    person.is_active, person.deactivated_at = False, timezone.now()
    _save(person, user)
    if person.user is not None:
        person.user.is_active = False
        person.user.save(update_fields=["is_active"])  # partners.logins revokes its tokens and ends its sessions
    for hook in deactivation_hooks:
        hook(person)
    return person


@transaction.atomic
def person_reactivate(*, user: Any, person: Person) -> Person:
    """Let a person back in: their login works again with its old password (their calendar addresses stay
    revoked: they subscribe anew)."""
    ensure_may(user, person, GOVERN)
    person = _locked(person)
    if person.is_active:
        return person
    person.is_active, person.deactivated_at = True, None
    _save(person, user)
    if person.user is not None:
        person.user.is_active = True
        person.user.save(update_fields=["is_active"])
    return person
