"""Secret, revocable addresses of iCalendar feeds.

Only a hash of the secret is stored: the full address is shown once, when the subscription is created.
"""

import hashlib
import secrets
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, SELF, VIEW, ScopedQuerySet, own_login
from partners.scoping.versions import Versioned


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class CalendarTokenQuerySet(ScopedQuerySet):
    # A feed address is a personal credential: even a teammate does not see it.
    rules = {VIEW: SELF, ADD: SELF, CHANGE: SELF, DELETE: NOBODY}  # revoked, never deleted
    server_owned = {"owner": own_login, "campaign": None}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "self":
            return Q(owner=actor.user, owner__person__organization_id=actor.organization_id)
        return super().relation_q(relation, actor)

    def usable(self) -> Self:
        return self.filter(revoked_at__isnull=True, owner__is_active=True)


class CalendarToken(Versioned):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The campaign whose meetings the feed shows. Leave empty for all your meetings, across campaigns.",
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    secret_hint = models.CharField("address ends with", max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "calendar subscription"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        what = f"meetings of {self.campaign}" if self.campaign_id else "my meetings"
        return f"Calendar feed: {what} (…{self.secret_hint})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def clean(self) -> None:
        if (
            self.campaign_id
            and self.owner_id
            and not Campaign.objects.for_user(self.owner).filter(pk=self.campaign_id).exists()
        ):
            raise ValidationError({"campaign": "You can subscribe only to campaigns your company takes part in."})
