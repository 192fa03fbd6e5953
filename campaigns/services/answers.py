"""One-click answers from e-mail: signed, expiring, single-use links bound to their recipient and to the version of
the row they answer (Django's signing). Opening one shows a confirmation page and does nothing (mail scanners open
links); confirming it acts as its recipient, without a session, through the same rules and services as the admin."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from campaigns.models import UsedAnswerLink
from campaigns.registries import reminder_sources
from campaigns.registries.answers import Answer, answers
from partners.models import Person
from partners.scoping import ensure_may
from partners.scoping.versions import describe_last_change

SALT = "campaigns.one-click-answer"


def answer_url(*, kind: str, action: str, row: models.Model, person: Person) -> str:
    """The link for `person` to give this answer on `row` as it is now."""
    entry = answers[kind, action]
    token = signing.dumps(
        {
            "k": kind,
            "a": action,
            "o": row.pk,
            "p": person.pk,
            "v": entry.version(row),
            "s": entry.state(row),
            "n": secrets.token_hex(16),
        },
        salt=SALT,
        compress=True,
    )
    return reminder_sources.site_link(reverse("answer", args=[token]))


def answer_links(kind: str, row: models.Model, person: Person) -> list[tuple[str, str]]:
    """(label, link) of every answer registered for this kind of row, for `person`."""
    return [
        (entry.label, answer_url(kind=kind, action=entry.action, row=row, person=person))
        for (entry_kind, _), entry in answers.items()
        if entry_kind == kind
    ]


@dataclass
class PendingAnswer:
    """A link as read: what it would do, and why it no longer may (`refusal`, with `changes` when the row moved on)."""

    entry: Answer | None = None
    row: Any = None
    person: Person | None = None
    nonce: str = ""
    refusal: str = ""
    changes: list[str] = field(default_factory=list)

    @property
    def what(self) -> str:
        return self.entry.describe(self.row) if self.entry and self.row is not None else ""


def answer_read(token: str, user: Any) -> PendingAnswer:
    """What the link `token` would do for the visitor `user` (anonymous or logged in), or why it may not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.ANSWER_LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        return PendingAnswer(
            refusal=f"This link has expired (links work for {settings.ANSWER_LINK_DAYS} days): open it in the tracker."
        )
    except signing.BadSignature:
        return PendingAnswer(refusal="This link is not valid: it may have been cut or changed on the way.")
    entry = answers.get((data["k"], data["a"]))
    person = Person.objects.filter(pk=data["p"]).select_related("user").first()
    row = entry.model._default_manager.filter(pk=data["o"]).first() if entry else None
    pending = PendingAnswer(entry, row, person, data["n"])
    if entry is None or row is None or person is None:
        pending.refusal = "What this link answers no longer exists."
    elif used := UsedAnswerLink.objects.filter(nonce=data["n"]).first():
        pending.refusal = f"This link was already used, on {used.used_at:%a %-d %b %Y at %H:%M} UTC: a link works once."
    elif person.user is None or not person.is_active or not person.user.is_active:
        pending.refusal = f"{person.full_name} can no longer answer in the tracker."
    elif user.is_authenticated and user.pk != person.user_id:
        pending.refusal = (
            f"This link was sent to {person.full_name}, and only answers for them; you are signed in as someone else."
        )
    elif entry.version(row) != data["v"]:
        now = entry.state(row)
        pending.changes = [
            f"{name}: “{before}” → “{now.get(name, '')}”"
            for name, before in data["s"].items()
            if now.get(name) != before
        ]
        pending.refusal = (
            f"This {row._meta.verbose_name} changed after the e-mail was sent ({describe_last_change(row)}), so the "
            "link no longer answers it: look at it again in the tracker."
        )
    return pending


def answer_take(token: str, user: Any, note: str = "") -> PendingAnswer:
    """Give the answer of `token` as its recipient, once; returns it with a refusal when it may not act (nothing is
    then written, and a link refused for a missing note still works)."""
    with transaction.atomic():
        pending = answer_read(token, user)
        if pending.refusal:
            return pending
        # Locked, then read again: a change to the row, or this link used in another tab, committing meanwhile is
        # seen here.
        type(pending.row)._default_manager.select_for_update().filter(pk=pending.row.pk).first()
        pending = answer_read(token, user)
        entry, person = pending.entry, pending.person
        if not pending.refusal and entry.note and not note.strip():
            pending.refusal = entry.note
        if pending.refusal:
            return pending
        try:
            with transaction.atomic():
                UsedAnswerLink.objects.create(
                    nonce=pending.nonce, person=person, kind=entry.kind, action=entry.action, object_id=pending.row.pk
                )
                ensure_may(person.user, pending.row, entry.rule)
                entry.perform(pending.row, person.user, note)
        except IntegrityError:
            pending.refusal = "This link was already used: a link works once."
        except ValidationError as refused:
            pending.refusal = " ".join(refused.messages)
        except PermissionDenied as refused:
            pending.refusal = str(refused)
    return pending
