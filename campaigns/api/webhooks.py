"""Your company's webhooks and what was delivered to them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from campaigns.models import WebhookDelivery, WebhookEndpoint
from campaigns.outbox import webhooks as webhook_services
from partners.scoping import CHANGE
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from utilities.api import ChangeActionPermissions


class WebhookEndpointSerializer(ScopedModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organization",
            "name",
            "url",
            "format",
            "flags",
            "invitations",
            "results_reports",
            "reminders",
            "is_active",
            "secret",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["secret", "created_by", "created_at"]


class WebhookDeliverySerializer(ScopedModelSerializer):
    event_label = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_label",
            "subject",
            "campaign",
            "occurred_at",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "dropped_reason",
            "next_attempt_at",
            "sent_at",
            "payload",
        ]
        read_only_fields = fields

    def get_event_label(self, delivery: WebhookDelivery) -> str:
        return webhook_services.event_label(delivery.event)


class WebhookEndpointViewSet(ScopedModelViewSet):
    """Where your company's campaign events go: signed JSON for your systems, or a Slack incoming webhook.
    Every delivery carries `X-Comarketing-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    filterset_fields = ["is_active", "format"]
    action_rules = {"test": CHANGE, "new_secret": CHANGE}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return WebhookEndpoint.objects.select_related("organization")

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def test(self, request, pk=None):
        """Send a test event now; its delivery tells how it went."""
        delivery = webhook_services.webhook_test(endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(delivery, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses=WebhookEndpointSerializer)
    @action(detail=True, methods=["post"], url_path="new-secret", permission_classes=[ChangeActionPermissions])
    def new_secret(self, request, pk=None):
        """Sign with a new secret from now on (update your receiver)."""
        endpoint = webhook_services.webhook_new_secret(endpoint=self.get_object())
        return Response(self.get_serializer(endpoint).data)


class WebhookDeliveryViewSet(ScopedModelViewSet):
    """What was sent to your company's webhooks and how it went (failures keep the error and the answer)."""

    queryset = WebhookDelivery.objects.all()
    serializer_class = WebhookDeliverySerializer
    filterset_fields = ["endpoint", "status", "event", "campaign"]
    ordering_fields = ["occurred_at", "sent_at"]
    action_rules = {"resend": "resend"}
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method, detail="Deliveries are made by the webhook sweep.")

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def resend(self, request, pk=None):
        """Send a failed delivery again at the next webhook sweep (the same content, a fresh set of attempts)."""
        delivery = webhook_services.webhook_resend(delivery=self.get_object())
        return Response(self.get_serializer(delivery).data)
