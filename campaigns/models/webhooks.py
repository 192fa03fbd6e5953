"""Outgoing webhooks: a company's own endpoints, told about its campaigns' events (flags, reminders,
invitations, results reports), each event delivered once per endpoint through the outbox."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models.core import Campaign
from campaigns.models.outbox import OutboxRow
from partners.models import Organization
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, OWNER, VIEW, ScopedQuerySet, own_company, own_login
from partners.scoping.versions import Versioned
from utilities import outbound_http


def new_secret() -> str:
    return secrets.token_hex(32)


def webhook_policy() -> outbound_http.Policy:
    """What a delivery may do: https (http only where the operator allows it), public addresses, the settings'
    deadline and answer cap. Saving an address and every send apply it alike."""
    return outbound_http.Policy.from_settings(schemes=("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",))


def validate_webhook_url(url: str) -> None:
    """The rules of every send, checked when the address is saved (and again at each send: DNS can change)."""
    try:
        outbound_http.check_url(url, webhook_policy())
    except outbound_http.OutboundRefused as refused:
        raise ValidationError(str(refused), code="outbound_refused") from None


class WebhookEndpointQuerySet(ScopedQuerySet):
    # A company's integrations are its own business: the other parties never see them (nor their secrets).
    # Kept, never deleted (its deliveries are the record of what was sent): turn it off instead.
    rules = {VIEW: OWNER, ADD: OWNER, CHANGE: OWNER, DELETE: NOBODY}
    server_owned = {"organization": own_company, "created_by": own_login}
    owner_path = "organization"

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "owner":
            return Q(**{self.owner_path: actor.organization_id})
        return super().relation_q(relation, actor)


class WebhookEndpoint(Versioned):
    class Format(models.TextChoices):
        JSON = "json", "JSON, signed (for your own systems)"
        SLACK = "slack", "Slack incoming webhook"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="webhook_endpoints", verbose_name="company"
    )
    name = models.CharField(max_length=100, help_text="What it feeds, e.g. “#partner-webinars on Slack”.")
    url = models.URLField("address", max_length=500, validators=[validate_webhook_url])
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.JSON)
    secret = models.CharField(
        max_length=64,
        default=new_secret,
        editable=False,
        help_text="Signs every delivery (the X-Comarketing-Signature header); only your company sees it.",
    )
    flags = models.BooleanField("flags raised and cleared", default=True)
    reminders = models.BooleanField("reminders sent to our people", default=False)
    invitations = models.BooleanField("invitations and their answers", default=True)
    results_reports = models.BooleanField("results reports ready", default=True)
    is_active = models.BooleanField("active", default=True, help_text="Turned off, it receives nothing.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["secret"])
    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "webhook"

    def __str__(self) -> str:
        return self.name


class WebhookDeliveryQuerySet(ScopedQuerySet):
    # Written by the webhook sweep; the endpoint's company reads them and sends a failed one again.
    rules = {VIEW: OWNER, ADD: NOBODY, CHANGE: NOBODY, DELETE: NOBODY, "resend": OWNER}
    owner_path = "endpoint__organization"

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "owner":
            return Q(**{self.owner_path: actor.organization_id})
        return super().relation_q(relation, actor)


class WebhookDelivery(OutboxRow):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(max_length=32)
    subject = models.CharField(max_length=100, help_text="What it is about, e.g. “flag:12”.")
    occurred_at = models.DateTimeField()
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Written at the first attempt, so every retry sends the same content.
    payload = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField("answer", null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta(OutboxRow.Meta):
        ordering = ["-occurred_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            # Never twice per event: the sweep offers each event again until it is older than its look-back.
            models.UniqueConstraint(fields=["endpoint", "event", "subject"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_sendable_idx")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"
