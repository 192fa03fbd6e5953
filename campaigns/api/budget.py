"""API of the joint budget: each company's budget lines (its own; partners see shared ones), their approval by the
company's budget owner and their receipts, and the campaign's reporting currency and exchange rates."""

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from campaigns.models import BudgetLine, Campaign, CampaignBudget, ExchangeRate
from campaigns.selectors.budget import budget_summary
from campaigns.services import budget as services
from partners.scoping import CHANGE, VIEW, ensure_may
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.versions import VersionConflict
from partners.services import person_of
from utilities.api import ChangeActionPermissions
from utilities.validation import save_validated


class BudgetLineSerializer(ScopedModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    approval = serializers.CharField(source="approval_text", read_only=True, help_text="The approval, in words.")
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "campaign",
            "organization",
            "what",
            "currency",
            "planned_amount",
            "committed_amount",
            "actual_amount",
            "is_shared",
            "status",
            "status_label",
            "approval",
            "approved_by",
            "approved_at",
            "approved_amount",
            "approved_currency",
            "receipt_url",
            "receipt_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "approved_by", "approved_at", "approved_amount", "approved_currency"]
        extra_kwargs = {"organization": {"required": False}}

    def get_receipt_url(self, line: BudgetLine) -> str | None:
        if not line.receipt:
            return None
        return self.context["request"].build_absolute_uri(reverse("campaigns:budget-receipt", args=[line.pk]))


class ReceiptUploadSerializer(serializers.Serializer):
    receipt = serializers.FileField(max_length=200, allow_empty_file=False, help_text="A PDF or image of the receipt.")
    version = serializers.IntegerField(required=False, min_value=1, help_text="The line's version you read.")


class TotalsSerializer(serializers.Serializer):
    company = serializers.CharField(source="name", help_text="The company, or “All companies” for the campaign.")
    lines = serializers.IntegerField()
    approved_lines = serializers.IntegerField()
    planned = serializers.DecimalField(max_digits=18, decimal_places=2)
    approved = serializers.DecimalField(max_digits=18, decimal_places=2)
    committed = serializers.DecimalField(max_digits=18, decimal_places=2)
    spend = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Actual spend.")
    cost_per_lead = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    roi = serializers.DecimalField(
        max_digits=18, decimal_places=1, allow_null=True, help_text="Pipeline per unit of spend (3.2: 3.2x)."
    )


class BudgetSummarySerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="The reporting currency every amount here is in.")
    companies = TotalsSerializer(many=True)
    total = TotalsSerializer()
    unconverted = serializers.ListField(
        child=serializers.CharField(), help_text="Amounts in a currency with no rate yet, left out of the totals."
    )


class SummaryQuery(serializers.Serializer):
    campaign = serializers.IntegerField(help_text="The campaign whose budget totals to read.")


class BudgetLineViewSet(ScopedModelViewSet):
    """Your company's budget lines, and your partners' shared ones (their totals: `GET /api/campaign-budgets/`).
    Approval is given by your company's budget owner on the campaign, for the amount as it stands: changing the
    amount or currency afterwards reopens the line."""

    queryset = BudgetLine.objects.select_related("organization", "approved_by")
    serializer_class = BudgetLineSerializer
    filterset_fields = ["campaign", "organization", "status", "is_shared"]
    action_rules = {"approve": "approve", "receipt": CHANGE, "summary": VIEW}

    @extend_schema(parameters=[SummaryQuery], responses=BudgetSummarySerializer)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """Every company's totals on a campaign and the campaign's, in its reporting currency, with cost per lead and
        ROI: what partners see of each other's budget (lines only when shared)."""
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        campaign = Campaign.objects.get_for_user(request.user, query.validated_data["campaign"])
        return Response(BudgetSummarySerializer(budget_summary(campaign)).data)

    @extend_schema(request=None, responses=BudgetLineSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def approve(self, request, pk=None):
        """Your company's budget owner on the campaign approves the line at its current amount."""
        line = services.budget_line_approve(line=self.get_object(), person=person_of(request.user))
        return Response(self.get_serializer(line).data)

    @extend_schema(request={"multipart/form-data": ReceiptUploadSerializer}, responses=BudgetLineSerializer)
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser],
        permission_classes=[ChangeActionPermissions],
    )
    def receipt(self, request, pk=None):
        """Attach (or replace) the line's receipt: private to your company unless the line is shared."""
        line = self.get_object()
        upload = ReceiptUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        if "version" in upload.validated_data:
            line.expect_version(upload.validated_data["version"])
        line.receipt = upload.validated_data["receipt"]
        line._history_user = request.user
        try:
            with transaction.atomic():
                save_validated(line)
                ensure_may(request.user, line, CHANGE)
        except VersionConflict as conflict:
            return self._conflict(line, status.HTTP_409_CONFLICT, str(conflict))
        return Response(self.get_serializer(line).data)


class CampaignBudgetSerializer(ScopedModelSerializer):
    class Meta:
        model = CampaignBudget
        fields = ["id", "campaign", "reporting_currency"]


class CampaignBudgetViewSet(ScopedModelViewSet):
    """The currency a campaign's budget totals, costs and ROI are reported in."""

    queryset = CampaignBudget.objects.all()
    serializer_class = CampaignBudgetSerializer
    filterset_fields = ["campaign"]


class ExchangeRateSerializer(ScopedModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "budget", "currency", "rate"]


class ExchangeRateViewSet(ScopedModelViewSet):
    """Rates typed by the parties (no live lookups): 1 unit of `currency` in the reporting currency."""

    queryset = ExchangeRate.objects.select_related("budget")
    serializer_class = ExchangeRateSerializer
    filterset_fields = ["budget", "budget__campaign", "currency"]
