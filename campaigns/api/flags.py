"""Flags of the campaigns you take part in; your own reminders and reminder preferences."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from campaigns.models import Flag, Reminder, ReminderOptOut
from campaigns.outbox import reminders as reminder_services
from campaigns.registries import reminder_sources
from campaigns.services import health as health_services
from partners.scoping import CHANGE, VIEW
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.filters import ScopedFilterSet
from utilities.api import ChangeActionPermissions
from utilities.validation import work_date


class FlagSerializer(ScopedModelSerializer):
    state = serializers.CharField(read_only=True)
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "code",
            "subject",
            "severity",
            "title",
            "detail",
            "state",
            "opened_at",
            "last_seen_at",
            "resolved_at",
            "acknowledged_at",
            "acknowledged_by",
            "snoozed_until",
            "attention_reason",
        ]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the team accepts this risk.")


class SnoozeSerializer(serializers.Serializer):
    until = serializers.DateField(validators=[work_date], help_text="The flag warns again from this day.")
    reason = serializers.CharField()


class FlagFilterSet(ScopedFilterSet):
    class Meta:
        model = Flag
        fields = {"campaign": ["exact"], "code": ["exact"], "severity": ["exact"], "resolved_at": ["isnull"]}


class FlagViewSet(ScopedModelViewSet):
    """Flags are opened and resolved by the health sweep; a campaign member acknowledges or snoozes them."""

    queryset = Flag.objects.all()
    serializer_class = FlagSerializer
    action_rules = {"acknowledge": CHANGE, "snooze": CHANGE}
    filterset_class = FlagFilterSet
    ordering_fields = ["opened_at", "severity", "last_seen_at"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return Flag.objects.select_related("campaign")

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method, detail="Flags are opened by the health sweep, not by hand.")

    def _decide(self, request, payload_class, decide) -> Response:
        flag = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            decide(flag, payload.validated_data)
        return Response(self.get_serializer(self.base_queryset().get(pk=flag.pk)).data)

    @extend_schema(request=AcknowledgeSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def acknowledge(self, request, pk=None):
        """The team knows and accepts the risk; the flag stops warning (and still resolves itself later)."""
        return self._decide(
            request,
            AcknowledgeSerializer,
            lambda flag, data: health_services.flag_acknowledge(flag=flag, user=request.user, reason=data["reason"]),
        )

    @extend_schema(request=SnoozeSerializer, responses=FlagSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def snooze(self, request, pk=None):
        """Stop warning until a day after today."""
        return self._decide(
            request,
            SnoozeSerializer,
            lambda flag, data: health_services.flag_snooze(
                flag=flag, user=request.user, until=data["until"], reason=data["reason"]
            ),
        )


class ReminderSerializer(ScopedModelSerializer):
    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "subject",
            "campaign",
            "due_at",
            "subject_line",
            "body_text",
            "status",
            "attempts",
            "last_error",
            "sent_at",
        ]
        read_only_fields = fields


class ReminderViewSet(ScopedModelViewSet):
    """The reminders addressed to you (all of them for the operator)."""

    queryset = Reminder.objects.all()
    serializer_class = ReminderSerializer
    filterset_fields = ["kind", "status", "campaign"]
    ordering_fields = ["due_at", "sent_at"]
    http_method_names = ["get", "head", "options"]


class ReminderOptOutSerializer(ScopedModelSerializer):
    kind = serializers.ChoiceField(choices=())

    class Meta:
        model = ReminderOptOut
        fields = ["id", "kind", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["kind"].choices = [(kind, source.label) for kind, source in sorted(reminder_sources.sources.items())]
        return fields

    def save_instance(self, instance):
        person = reminder_services.reminder_recipient_of(self.context["request"].user)
        return reminder_services.reminder_opt_out(person=person, kind=instance.kind)


class ReminderPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    enabled = serializers.BooleanField()


class ReminderOptOutViewSet(ScopedModelViewSet):
    """Kinds of reminder you turned off: POST a kind to stop it, DELETE the opt-out to get it back."""

    queryset = ReminderOptOut.objects.all()
    serializer_class = ReminderOptOutSerializer
    action_rules = {"preferences": VIEW}
    http_method_names = ["get", "post", "delete", "head", "options"]

    @extend_schema(responses=ReminderPreferenceSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)  # one short list, answered whole
    def preferences(self, request):
        """Every kind of reminder, and whether you receive it (every kind is on until you opt out)."""
        off = set(self.get_queryset().values_list("kind", flat=True))
        rows = [
            {"kind": kind, "label": source.label, "enabled": kind not in off}
            for kind, source in sorted(reminder_sources.sources.items())
        ]
        return Response(ReminderPreferenceSerializer(rows, many=True).data)
