from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from campaigns.selectors.scorecard import scorecards
from partners.models import PartnerRelationship
from partners.scoping.api import ScopedModelViewSet


class ScorecardFiguresSerializer(serializers.Serializer):
    window = serializers.CharField()
    campaigns = serializers.IntegerField()
    kpis_met = serializers.IntegerField()
    kpis = serializers.IntegerField()
    deliverables_on_time = serializers.IntegerField()
    deliverables_done = serializers.IntegerField()
    meetings_present = serializers.IntegerField(help_text="Held meetings at which someone of the partner was present.")
    meetings_invited = serializers.IntegerField(help_text="Held meetings someone of the partner was invited to.")
    signoff_median_days = serializers.FloatField(allow_null=True)
    open_critical_flags = serializers.IntegerField()
    depends_on = serializers.CharField(allow_null=True)
    # Money, as text with its currency ("—" when unknown); absent from figures worked out before the budget existed.
    partner_spend = serializers.CharField(required=False, help_text="The partner's actual spend, e.g. “1,380 EUR”.")
    partner_cost_per_lead = serializers.CharField(required=False, help_text="The partner's spend per lead it reported.")
    partner_roi = serializers.CharField(required=False, help_text="The partner's pipeline per unit of spend (“3.2x”).")
    spend = serializers.CharField(required=False, help_text="Both companies' actual spend.")
    cost_per_lead = serializers.CharField(required=False, help_text="Both companies' spend per lead.")
    roi = serializers.CharField(required=False, help_text="Pipeline per unit of both companies' spend.")


class PartnerFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class PartnerScorecardSerializer(serializers.Serializer):
    relationship = serializers.IntegerField(source="relationship.pk")
    vendor = serializers.CharField(source="relationship.vendor.name")
    partner = serializers.CharField(source="relationship.partner.name")
    tier = serializers.CharField(source="relationship.get_tier_display", allow_null=True)
    windows = ScorecardFiguresSerializer(many=True)
    flags = PartnerFlagSerializer(many=True, help_text="The vendor's flags on this partner; empty for the partner.")
    computed_at = serializers.DateTimeField(help_text="When these figures were worked out (they are kept, not live).")


class ScorecardRow:
    def __init__(self, card):
        self.relationship = card.relationship
        self.windows = [{"window": window.name, **window.figures} for window in card.windows]
        self.flags = card.flags
        self.computed_at = card.computed_at


class PartnerScorecardViewSet(ScopedModelViewSet):
    """How each partner delivers, for the vendor (its partners) and for the partner (its own figures): campaigns
    together, KPIs met, deliverables on time, meeting attendance, sign-off turnaround, open critical flags, and
    whether results depend on one person; over the last 90 days and all time. The vendor also gets its flags on
    the partner (never co-ran a campaign, missed most reviews)."""

    queryset = PartnerRelationship.objects.select_related("vendor", "partner")
    serializer_class = PartnerScorecardSerializer
    http_method_names = ["get", "head", "options"]

    def _rows(self, relationships):
        return [ScorecardRow(card) for card in scorecards(list(relationships), self.request.user)]

    @extend_schema(responses=PartnerScorecardSerializer(many=True))
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(self._rows(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._rows([self.get_object()])[0]).data)
