from rest_framework import serializers

from campaigns.models import CampaignTemplate, Metric, TemplateDeliverable
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from utilities.api import WallClockTimeField


class TemplateDeliverableSerializer(ScopedModelSerializer):
    class Meta:
        model = TemplateDeliverable
        fields = [
            "id",
            "template",
            "title",
            "type",
            "channel",
            "offset_business_days",
            "needs_signoff",
            "needs_legal_review",
            "accountable_role",
            "responsible_role",
        ]


class CampaignTemplateSerializer(ScopedModelSerializer):
    deliverables = TemplateDeliverableSerializer(many=True, read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True, default=None)
    meeting_time = WallClockTimeField(required=False, help_text="In the creator's time zone.")

    class Meta:
        model = CampaignTemplate
        fields = [
            "id",
            "name",
            "kind",
            "organization",
            "organization_name",
            "description",
            "kpi_metrics",
            "has_weekly_meeting",
            "meeting_weekday",
            "meeting_time",
            "meeting_duration_minutes",
            "deliverables",
        ]

    def scoped_choices(self, field_name, model, user):
        queryset = super().scoped_choices(field_name, model, user)
        return queryset.filter(campaign__isnull=True) if model is Metric else queryset


class CampaignTemplateViewSet(ScopedModelViewSet):
    """Plans to start a campaign from: the shipped template of each kind, and your company's own."""

    queryset = CampaignTemplate.objects.all()
    serializer_class = CampaignTemplateSerializer
    filterset_fields = ["kind", "organization"]

    def base_queryset(self):
        return CampaignTemplate.objects.select_related("organization").prefetch_related("deliverables", "kpi_metrics")


class TemplateDeliverableViewSet(ScopedModelViewSet):
    queryset = TemplateDeliverable.objects.all()
    serializer_class = TemplateDeliverableSerializer
    filterset_fields = ["template"]


class DeliverablePlanSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField(source="deliverable.pk")
    title = serializers.CharField(source="deliverable.title")
    status = serializers.CharField(source="deliverable.status")
    is_pinned = serializers.BooleanField(source="deliverable.is_pinned")
    owner = serializers.CharField(source="owner_name")
    due_date = serializers.DateField(source="due")
    latest_safe_start = serializers.DateField()
    review_start = serializers.DateField()
    lead_business_days = serializers.IntegerField(source="lead_days")
    legal_review_business_days = serializers.IntegerField(source="legal_days")
    signoff_business_days = serializers.IntegerField(source="signoff_days")
    cannot_be_done_in_time = serializers.SerializerMethodField()

    def get_cannot_be_done_in_time(self, plan) -> bool:
        return plan.cannot_be_done_in_time(self.context["today"])


class DateMoveSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField()
    title = serializers.CharField()
    old_due_date = serializers.DateField()
    new_due_date = serializers.DateField()


class KeptDateSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    why = serializers.CharField()


class EventMoveSerializer(serializers.Serializer):
    old_event_date = serializers.DateField()
    new_event_date = serializers.DateField()
    shift_business_days = serializers.IntegerField()
    moves = DateMoveSerializer(many=True)
    kept = KeptDateSerializer(many=True)
    applied = serializers.BooleanField()


class TimelineMarkSerializer(serializers.Serializer):
    day = serializers.DateField()
    label = serializers.CharField()


class CampaignPlanSerializer(serializers.Serializer):
    """The timeline as data: the event, each deliverable's dates, and the dated marks (meetings)."""

    kickoff_date = serializers.DateField(allow_null=True)
    event_date = serializers.DateField(allow_null=True)
    deliverables = DeliverablePlanSerializer(many=True)
    marks = TimelineMarkSerializer(many=True)
