from django.contrib import admin
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from campaigns.admin.outbox import OutboxAdmin
from campaigns.models import WebhookDelivery, WebhookEndpoint
from campaigns.outbox import webhooks as webhook_services
from partners.scoping import CHANGE
from partners.scoping.admin import FewRelatedOnlyFieldListFilter, ScopedModelAdmin

SHORT_EVENT_NAMES = {
    "flags": "flags",
    "invitations": "invitations",
    "results_reports": "reports",
    "reminders": "reminders",
}


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedModelAdmin):
    """Your company's webhooks: where its campaigns' events go, and whether they arrive."""

    list_display = ["name", "format", "subscribed_to", "is_active", "last_delivery", "recent_failures"]
    list_filter = ["is_active", "format"]
    fields = [
        "name",
        "url",
        "format",
        "flags",
        "invitations",
        "results_reports",
        "reminders",
        "is_active",
        "signing_secret",
        "delivery_log",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["signing_secret", "delivery_log", "created_by", "created_at"]
    actions = ["send_test", "new_secret"]

    def get_queryset(self, request):
        recent = Q(
            deliveries__status=WebhookDelivery.Status.FAILED,
            deliveries__created_at__gte=timezone.now() - webhook_services.FAILURES_SHOWN_FOR,
        )
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(failures=Count("deliveries", filter=recent), last_sent=Max("deliveries__sent_at"))
        )

    @admin.display(description="Events")
    def subscribed_to(self, endpoint: WebhookEndpoint) -> str:
        chosen = [label for name, label in SHORT_EVENT_NAMES.items() if getattr(endpoint, name)]
        return ", ".join(chosen).capitalize() or "Nothing"

    @admin.display(description="Last delivered", ordering="last_sent")
    def last_delivery(self, endpoint: WebhookEndpoint):
        return endpoint.last_sent or "Never"

    @admin.display(description="Failed (7 days)", ordering="failures")
    def recent_failures(self, endpoint: WebhookEndpoint) -> str:
        if not endpoint.failures:
            return "None"
        url = (
            reverse("admin:campaigns_webhookdelivery_changelist")
            + f"?endpoint__id__exact={endpoint.pk}&status__exact=failed"
        )
        return format_html('<a href="{}" style="color: #ba2121"><strong>{} failed</strong></a>', url, endpoint.failures)

    @admin.display(description="Deliveries")
    def delivery_log(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:campaigns_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">What was sent to it, and how it went</a>', url)

    @admin.display(description="Signing secret")
    def signing_secret(self, endpoint: WebhookEndpoint) -> str:
        if not endpoint.pk:
            return "Made when you save."
        return format_html("<code>{}</code>", endpoint.secret)

    def _for_each_changeable(self, request, queryset, service) -> int:
        endpoints = list(queryset.for_user(request.user, CHANGE))
        for endpoint in endpoints:
            service(endpoint=endpoint)
        return len(endpoints)

    @admin.action(description="Send a test event to the selected webhooks")
    def send_test(self, request, queryset):
        count = self._for_each_changeable(request, queryset, webhook_services.webhook_test)
        self.message_user(request, f"A test event is on its way to {count} webhook(s); see their deliveries.")

    @admin.action(description="Make a new signing secret for the selected webhooks")
    def new_secret(self, request, queryset):
        count = self._for_each_changeable(request, queryset, webhook_services.webhook_new_secret)
        self.message_user(request, f"{count} webhook(s) sign with a new secret from now on: update your receivers.")


class EventFilter(admin.SimpleListFilter):
    title = "event"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [
            (webhook_services.TEST_EVENT, "Test"),
            *((code, event.label) for code, event in webhook_services.events.items()),
        ]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OutboxAdmin):
    """What was sent to your webhooks and how it went; a failed one can be sent again."""

    list_display = ["event_label", "endpoint", "status", "outcome", "occurred_at"]
    list_filter = ["status", EventFilter, ("endpoint", FewRelatedOnlyFieldListFilter)]
    list_select_related = ["endpoint", "campaign"]
    fields = [
        "event_label",
        "endpoint",
        "campaign",
        "occurred_at",
        "status",
        "dropped_reason",
        "attempts",
        "response_status",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "payload",
    ]
    readonly_fields = fields
    in_index = False  # reached from the webhooks' list

    @admin.display(description="Event", ordering="event")
    def event_label(self, delivery: WebhookDelivery) -> str:
        return webhook_services.event_label(delivery.event)

    @admin.display(description="Outcome")
    def outcome(self, delivery: WebhookDelivery) -> str:
        answer = f"HTTP {delivery.response_status}" if delivery.response_status else ""
        problem = delivery.last_error or delivery.dropped_reason
        return " — ".join(part for part in (answer, Truncator(problem).chars(90)) if part) or "—"
