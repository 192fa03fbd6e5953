"""API of the kickoff questionnaire, sign-offs, KPIs, the reporting plan and brand assets."""

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from campaigns.models import (
    AgreedKpiTarget,
    BrandAsset,
    Campaign,
    CampaignKpi,
    CompanyWord,
    Deliverable,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiAgreement,
    KpiMeasurement,
    KpiRound,
    LeadStatusMapping,
    Member,
    Metric,
    Party,
    ProductionMilestone,
    ReportingPlan,
    ReportingPlanReporter,
    SignoffApprover,
    SignoffRequest,
    ToolAccess,
)
from campaigns.selectors.kickoff import completeness_prefetch, kickoff_completeness, tool_access_checklist
from campaigns.selectors.kpis import has_reporting_plan, progress_percent, with_current_figure
from campaigns.services import kickoff as kickoff_services
from campaigns.services import kpis as kpi_services
from campaigns.services import signoffs as signoff_services
from partners.models import Organization, Person
from partners.scoping import ADD, VIEW, scoped_queryset
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.services import person_of
from utilities.api import ChangeActionPermissions


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id in an action's payload: another company's row gets the answer a nonexistent id gets."""

    def __init__(self, model_class: type, **kwargs):
        self.model_class = model_class
        super().__init__(**kwargs)

    def get_queryset(self):
        return scoped_queryset(self.model_class, self.context["request"].user)


# --- Kickoff questionnaire -------------------------------------------------------------------------------


class MilestoneSerializer(ScopedModelSerializer):
    class Meta:
        model = ProductionMilestone
        fields = ["id", "questionnaire", "title", "due_date"]


class SignoffApproverSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="member.person.full_name", read_only=True)

    class Meta:
        model = SignoffApprover
        fields = ["id", "questionnaire", "deliverable_type", "member", "person_name"]


class CompletenessSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    unanswered = serializers.ListField(child=serializers.CharField())


class KickoffQuestionnaireSerializer(ScopedModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    approvers = SignoffApproverSerializer(many=True, read_only=True)
    completeness = serializers.SerializerMethodField()

    class Meta:
        model = KickoffQuestionnaire
        fields = [
            "id",
            "campaign",
            "production_process",
            "milestones",
            "approvers",
            "video_meeting_tool",
            "video_meeting_link",
            "file_sharing_tool",
            "file_sharing_link",
            "file_review_tool",
            "file_review_link",
            "meeting_cadence",
            "completeness",
            "updated_at",
        ]

    @extend_schema(responses=CompletenessSerializer)
    def get_completeness(self, questionnaire: KickoffQuestionnaire) -> dict:
        return kickoff_completeness(questionnaire.campaign).as_dict()


class ChecklistLineSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    person = serializers.CharField()
    organization = serializers.CharField()
    access = serializers.DictField(child=serializers.BooleanField(allow_null=True))


class KickoffQuestionnaireViewSet(ScopedModelViewSet):
    """The campaign-wide kickoff answers, with the % answered and the unanswered questions by name."""

    queryset = KickoffQuestionnaire.objects.all()
    serializer_class = KickoffQuestionnaireSerializer
    action_rules = {"tool_access_checklist": VIEW}
    filterset_fields = ["campaign"]

    def base_queryset(self):
        return KickoffQuestionnaire.objects.select_related("campaign").prefetch_related(
            Prefetch("milestones", ProductionMilestone.objects.all()),
            Prefetch("approvers", SignoffApprover.objects.select_related("member__person")),
            *completeness_prefetch("campaign"),
        )

    @extend_schema(responses=ChecklistLineSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="tool-access-checklist", pagination_class=None)
    def tool_access_checklist(self, request, pk=None):
        """Each team member (and nobody else) × each tool the questionnaire names: true, false or null (unconfirmed)."""
        return Response([line.as_dict() for line in tool_access_checklist(self.get_object().campaign)])


class MilestoneViewSet(ScopedModelViewSet):
    queryset = ProductionMilestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_fields = ["questionnaire"]


class SignoffApproverViewSet(ScopedModelViewSet):
    queryset = SignoffApprover.objects.select_related("member__person")
    serializer_class = SignoffApproverSerializer
    filterset_fields = ["questionnaire", "deliverable_type"]


class KickoffCompanyPartSerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    completed_by = serializers.CharField(source="completed_by.full_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = KickoffCompanyPart
        fields = [
            "id",
            "campaign",
            "organization",
            "organization_name",
            "has_legal_review",
            "legal_reviewer",
            "legal_turnaround_business_days",
            "no_brand_assets",
            *(f"{prefix}_{suffix}" for prefix in KickoffCompanyPart.PROCESSES for suffix in ("process", "lead_days")),
            "completed_at",
            "completed_by",
        ]
        extra_kwargs = {"organization": {"required": False}}


class KickoffCompanyPartViewSet(ScopedModelViewSet):
    """Each company's own answers; only that company changes them and marks them complete."""

    queryset = KickoffCompanyPart.objects.select_related("organization", "completed_by")
    serializer_class = KickoffCompanyPartSerializer
    action_rules = {"mark_complete": "complete"}
    filterset_fields = ["campaign", "organization"]

    @extend_schema(request=None, responses=KickoffCompanyPartSerializer)
    @action(detail=True, methods=["post"], url_path="mark-complete", permission_classes=[ChangeActionPermissions])
    def mark_complete(self, request, pk=None):
        """Mark your company's part complete (refused, listing them, while questions of the part are unanswered)."""
        part = kickoff_services.kickoff_part_mark_complete(part=self.get_object(), person=person_of(request.user))
        return Response(self.get_serializer(part).data)


class ToolAccessSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="member.person.full_name", read_only=True)
    confirmed_by = serializers.CharField(source="confirmed_by.full_name", read_only=True)

    class Meta:
        model = ToolAccess
        fields = ["id", "member", "person_name", "tool", "has_access", "confirmed_by", "confirmed_at"]

    def save_instance(self, instance):
        return kickoff_services.tool_access_confirm(
            member=instance.member,
            tool=instance.tool,
            has_access=instance.has_access,
            person=person_of(self.context["request"].user),
        )


class ToolAccessViewSet(ScopedModelViewSet):
    """The tool-access checklist: a member, or a colleague of their company, confirms their access."""

    queryset = ToolAccess.objects.select_related("member__person", "confirmed_by")
    serializer_class = ToolAccessSerializer
    filterset_fields = ["member", "member__campaign", "tool", "has_access"]


class BrandAssetSerializer(ScopedModelSerializer):
    file = serializers.FileField(write_only=True, required=False, allow_empty_file=False)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = BrandAsset
        fields = [
            "id",
            "campaign",
            "organization",
            "kind",
            "title",
            "file",
            "link",
            "download_url",
            "original_name",
            "content_type",
            "created_at",
        ]
        extra_kwargs = {"organization": {"required": False}}

    def get_download_url(self, asset: BrandAsset) -> str | None:
        if not asset.file:
            return None
        return self.context["request"].build_absolute_uri(reverse("campaigns:brand-asset-download", args=[asset.pk]))


class BrandAssetViewSet(ScopedModelViewSet):
    """Brand guidelines, logos and templates of each company; files are downloaded through `download_url` only."""

    queryset = BrandAsset.objects.all()
    serializer_class = BrandAssetSerializer
    parser_classes = [MultiPartParser]  # the file goes up with the other fields (a link asset is sent the same way)
    filterset_fields = ["campaign", "organization", "kind"]


# --- Sign-offs and legal review --------------------------------------------------------------------------


class SignoffRequestSerializer(ScopedModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.full_name", read_only=True)
    deliverable_title = serializers.CharField(source="deliverable.title", read_only=True)
    status_label = serializers.CharField(read_only=True, help_text="“Changed since approval” when it is.")
    approved_content = serializers.JSONField(
        read_only=True, help_text="The reviewed content as approved ({} when it stands for no approval)."
    )
    approved_summary = serializers.CharField(read_only=True, help_text="The approved content in words.")
    changes_since_approval = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="What changed since approval, in words."
    )

    class Meta:
        model = SignoffRequest
        fields = [
            "id",
            "deliverable",
            "deliverable_title",
            "kind",
            "reviewer",
            "reviewer_name",
            "status",
            "status_label",
            "comment",
            "due_date",
            "requested_at",
            "decided_at",
            "approved_content",
            "approved_summary",
            "content_changed_at",
            "changes_since_approval",
        ]
        read_only_fields = fields


class SignoffDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (SignoffRequest.Status.APPROVED, "Approved"),
            (SignoffRequest.Status.CHANGES_REQUESTED, "Changes requested"),
        ]
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RequestSignoffsSerializer(serializers.Serializer):
    deliverable = ScopedPrimaryKeyField(Deliverable)


class SignoffRequestViewSet(ScopedModelViewSet):
    """Sign-off and legal review requests; they are made when a deliverable that needs them goes into review."""

    queryset = SignoffRequest.objects.select_related("reviewer", "deliverable")
    serializer_class = SignoffRequestSerializer
    action_rules = {"decide": "decide", "ask_again": "ask again", "request_signoffs": ADD}
    filterset_fields = ["deliverable", "deliverable__campaign", "kind", "status", "reviewer"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="Sign-off requests are made by the “request” action.")

    @extend_schema(request=SignoffDecisionSerializer, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def decide(self, request, pk=None):
        """Approve, or request changes with a comment. Only the reviewer decides."""
        signoff_request = self.get_object()
        payload = SignoffDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decided = signoff_services.signoff_decide(request=signoff_request, user=request.user, **payload.validated_data)
        return Response(self.get_serializer(decided).data)

    @extend_schema(request=None, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"], url_path="ask-again", permission_classes=[ChangeActionPermissions])
    def ask_again(self, request, pk=None):
        """Ask the reviewer again once the requested changes were made."""
        return Response(self.get_serializer(signoff_services.signoff_request_reopen(request=self.get_object())).data)

    @extend_schema(request=RequestSignoffsSerializer, responses=SignoffRequestSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="request", permission_classes=[ChangeActionPermissions])
    def request_signoffs(self, request):
        """Ask every required approver and legal reviewer of a deliverable who has not been asked yet."""
        payload = RequestSignoffsSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        created = signoff_services.signoff_requests_create(deliverable=payload.validated_data["deliverable"])
        return Response(self.get_serializer(created, many=True).data, status=status.HTTP_201_CREATED)


# --- KPIs ------------------------------------------------------------------------------------------------


class MetricSerializer(ScopedModelSerializer):
    class Meta:
        model = Metric
        fields = ["id", "code", "name", "unit", "funnel_stage", "description", "campaign"]
        read_only_fields = ["code"]


class MetricViewSet(ScopedModelViewSet):
    """The metric catalog: built-in metrics for everyone, plus the custom metrics of your campaigns."""

    queryset = Metric.objects.all()
    serializer_class = MetricSerializer
    filterset_fields = ["campaign", "funnel_stage", "unit"]
    search_fields = ["name"]


class CampaignKpiSerializer(ScopedModelSerializer):
    # Without DRF's own minimum, so a negative target gets the model's message.
    target = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, required=False)
    metric_name = serializers.CharField(source="metric.name", read_only=True)
    funnel_stage = serializers.CharField(source="metric.funnel_stage", read_only=True)
    combination_label = serializers.CharField(source="get_combination_display", read_only=True)
    latest_value = serializers.DecimalField(
        source="figure",
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The KPI's figure: its companies' latest figures summed, or its owning company's, as `combination` "
        "says.",
    )
    latest_period_end = serializers.DateField(
        source="figure_as_of",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The latest period end the figure counts.",
    )
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = CampaignKpi
        fields = [
            "id",
            "campaign",
            "metric",
            "metric_name",
            "funnel_stage",
            "target",
            "currency",
            "owner",
            "combination",
            "combination_label",
            "data_source",
            "reporting_frequency",
            "latest_value",
            "latest_period_end",
            "progress_percent",
        ]

    def get_progress_percent(self, kpi: CampaignKpi) -> float | None:
        percent = progress_percent(kpi.target, getattr(kpi, "figure", None))
        return None if percent is None else float(percent)

    def save_instance(self, instance):
        instance._history_user = self.context["request"].user
        return kpi_services.kpi_save(kpi=instance)


class CampaignKpiViewSet(ScopedModelViewSet):
    """KPIs with targets. Once every company agreed, the set is locked until a new agreement round starts."""

    queryset = CampaignKpi.objects.all()
    serializer_class = CampaignKpiSerializer
    filterset_fields = ["campaign", "owner", "metric"]

    def base_queryset(self):
        return with_current_figure(CampaignKpi.objects.all())

    def perform_destroy(self, instance):
        kpi_services.kpi_delete(kpi=instance)


class KpiAgreementSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    agreed_by_name = serializers.CharField(source="agreed_by.full_name", read_only=True)
    statement = serializers.CharField(
        read_only=True, help_text="Whose word it was: “Agreed for Northwind by its decision maker Maria Keller”."
    )

    class Meta:
        model = KpiAgreement
        fields = [
            "organization",
            "organization_name",
            "agreed_by",
            "agreed_by_name",
            "by_decision_maker",
            "statement",
            "agreed_at",
        ]


class AgreedTargetSerializer(serializers.ModelSerializer):
    metric_name = serializers.CharField(source="metric.name", read_only=True)

    class Meta:
        model = AgreedKpiTarget
        fields = ["kpi", "metric", "metric_name", "target", "currency", "combination"]


class KpiRoundSerializer(ScopedModelSerializer):
    agreements = KpiAgreementSerializer(many=True, read_only=True)
    agreed_targets = AgreedTargetSerializer(many=True, read_only=True)
    waiting_for = serializers.SerializerMethodField()
    who_may_agree = serializers.SerializerMethodField()

    class Meta:
        model = KpiRound
        fields = [
            "id",
            "campaign",
            "number",
            "reason",
            "started_at",
            "locked_at",
            "superseded_at",
            "agreements",
            "waiting_for",
            "who_may_agree",
            "agreed_targets",
            "agreed_lead_terms",
        ]
        read_only_fields = fields

    def _waiting(self, round_: KpiRound) -> list[Party]:
        agreed = {agreement.organization_id for agreement in round_.agreements.all()}
        return [party for party in round_.campaign.parties.all() if party.organization_id not in agreed]

    def get_waiting_for(self, round_: KpiRound) -> list[str]:
        """Companies that have not agreed to this round yet."""
        return [party.organization.name for party in self._waiting(round_)]

    @extend_schema_field(
        inline_serializer(
            "WhoMayAgree",
            {
                "organization": serializers.IntegerField(),
                "organization_name": serializers.CharField(),
                "who": serializers.CharField(help_text="“its decision maker Maria Keller”, or any of its people."),
            },
            many=True,
        )
    )
    def get_who_may_agree(self, round_: KpiRound) -> list[dict]:
        """For each company still to agree: who may agree for it."""
        members = round_.campaign.decision_maker_members
        return [
            {
                "organization": party.organization_id,
                "organization_name": party.organization.name,
                "who": CompanyWord.from_members(party.organization, members).who,
            }
            for party in self._waiting(round_)
        ]


class AgreeSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, help_text="Operator only; companies agree for themselves."
    )


class StartRoundSerializer(serializers.Serializer):
    campaign = ScopedPrimaryKeyField(Campaign)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class KpiRoundViewSet(ScopedModelViewSet):
    """Agreement rounds: who agreed when, who is still to agree, and the targets agreed in each round."""

    queryset = KpiRound.objects.all()
    serializer_class = KpiRoundSerializer
    action_rules = {"agree": "agree", "start": ADD}
    filterset_fields = ["campaign"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return KpiRound.objects.prefetch_related(
            Prefetch("agreements", KpiAgreement.objects.select_related("organization", "agreed_by")),
            Prefetch("agreed_targets", AgreedKpiTarget.objects.select_related("metric")),
            Prefetch("campaign__parties", Party.objects.select_related("organization")),
            Prefetch(
                "campaign__members",
                Member.objects.filter(is_decision_maker=True).select_related("person"),
                to_attr="decision_maker_members",
            ),
        )

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="The first round opens with the first KPI; use “start” for a new one.")

    @extend_schema(request=AgreeSerializer, responses=KpiRoundSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def agree(self, request, pk=None):
        """Your company agrees to the current KPI set: its decision maker on the campaign agrees for it, or any of
        its people while it has named none (anyone else is refused, with who may). When every company has
        agreed, the set locks."""
        round_ = self.get_object()
        payload = AgreeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = person_of(request.user)
        organization = payload.validated_data.get("organization") if request.user.is_superuser else None
        if organization is None:
            organization = person.organization if person else None
        elif person is None or person.organization_id != organization.pk:
            person = _voice_of(round_.campaign, organization)
        if organization is None:
            raise serializers.ValidationError({"organization": "Say which company agrees."})
        if round_.superseded_at is not None:
            raise serializers.ValidationError("This round was superseded by a newer one; agree to the current round.")
        kpi_services.kpi_agree(campaign=round_.campaign, organization=organization, person=person)
        return Response(self.get_serializer(self.base_queryset().get(pk=round_.pk)).data)

    @extend_schema(request=StartRoundSerializer, responses=KpiRoundSerializer)
    @action(detail=False, methods=["post"], permission_classes=[ChangeActionPermissions])
    def start(self, request):
        """Start a new agreement round so a locked KPI set can change; every company agrees again."""
        payload = StartRoundSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        round_ = kpi_services.kpi_round_start(user=request.user, **payload.validated_data)
        return Response(
            self.get_serializer(self.base_queryset().get(pk=round_.pk)).data, status=status.HTTP_201_CREATED
        )


def _voice_of(campaign: Campaign, organization: Organization) -> Person | None:
    """Who the operator records as agreeing for a company: its decision maker on the campaign, or, when it has
    named none, its point of contact."""
    makers = CompanyWord.of(campaign.pk, organization).decision_makers
    if makers:
        return makers[0]
    party = campaign.parties.filter(organization=organization).select_related("point_of_contact").first()
    return party.point_of_contact if party else None


class KpiMeasurementSerializer(ScopedModelSerializer):
    metric_name = serializers.CharField(source="kpi.metric.name", read_only=True)
    reported_by_name = serializers.CharField(source="reported_by.full_name", read_only=True)
    replaced = None  # the figure a new one replaced (kpi_services.ReplacedFigure), once saved

    class Meta:
        model = KpiMeasurement
        fields = [
            "id",
            "campaign",
            "kpi",
            "metric_name",
            "organization",
            "period_start",
            "period_end",
            "value",
            "reported_by",
            "reported_by_name",
            "note",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"reported_by": {"required": False}}

    def save_instance(self, instance):
        if instance.pk is not None:
            return super().save_instance(instance)
        instance._history_user = self.context["request"].user
        self.replaced = kpi_services.kpi_figure_record(measurement=instance)
        return instance


class KpiMeasurementViewSet(ScopedModelViewSet):
    """Each company's figures of KPIs, per period; reported by the signed-in person (the operator names who
    reported). A figure for a period the company already reported replaces that one: the answer is the updated
    figure, with 200 instead of 201."""

    queryset = KpiMeasurement.objects.select_related("kpi__metric", "reported_by")
    serializer_class = KpiMeasurementSerializer
    filterset_fields = ["campaign", "kpi"]
    ordering_fields = ["period_end", "created_at"]

    @extend_schema(responses={201: KpiMeasurementSerializer, 200: KpiMeasurementSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        replaced = serializer.replaced is not None
        return Response(serializer.data, status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED)


# --- Reporting plan --------------------------------------------------------------------------------------


class ReporterSerializer(ScopedModelSerializer):
    reporter_name = serializers.CharField(source="reporter.full_name", read_only=True)

    class Meta:
        model = ReportingPlanReporter
        fields = ["id", "plan", "organization", "reporter", "reporter_name"]


class LeadStatusMappingSerializer(ScopedModelSerializer):
    class Meta:
        model = LeadStatusMapping
        fields = ["id", "plan", "organization", "crm_status", "shared_stage"]


class ReportingPlanSerializer(ScopedModelSerializer):
    reporters = ReporterSerializer(many=True, read_only=True)
    lead_status_mappings = LeadStatusMappingSerializer(many=True, read_only=True)
    is_complete = serializers.BooleanField(
        read_only=True,
        default=None,
        help_text="A frequency, a reporter for every company and at least one agreed KPI with a target.",
    )

    class Meta:
        model = ReportingPlan
        fields = [
            "id",
            "campaign",
            "frequency",
            "method",
            "dashboard_link",
            "first_report_date",
            "notes",
            "reporters",
            "lead_status_mappings",
            "is_complete",
        ]


class ReportingPlanViewSet(ScopedModelViewSet):
    """How and how often the companies share data, who reports for each, and how lead statuses map."""

    queryset = ReportingPlan.objects.all()
    serializer_class = ReportingPlanSerializer
    filterset_fields = ["campaign"]

    def base_queryset(self):
        complete = Campaign.objects.filter(pk=OuterRef("campaign_id")).filter(has_reporting_plan())
        return ReportingPlan.objects.annotate(is_complete=Exists(complete)).prefetch_related(
            Prefetch("reporters", ReportingPlanReporter.objects.select_related("reporter")),
            "lead_status_mappings",
        )


class ReporterViewSet(ScopedModelViewSet):
    queryset = ReportingPlanReporter.objects.select_related("reporter")
    serializer_class = ReporterSerializer
    filterset_fields = ["plan", "organization"]


class LeadStatusMappingViewSet(ScopedModelViewSet):
    queryset = LeadStatusMapping.objects.all()
    serializer_class = LeadStatusMappingSerializer
    filterset_fields = ["plan", "organization", "shared_stage"]
