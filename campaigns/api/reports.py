from django.urls import reverse
from rest_framework import serializers

from campaigns.models import Learning, ResultsReport
from campaigns.services import reports as report_services
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet


class ResultsReportSerializer(ScopedModelSerializer):
    """POST a campaign to build a fresh report; it is ready when `status` is "ready" (the leads are e-mailed)."""

    pdf_url = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()

    class Meta:
        model = ResultsReport
        fields = ["id", "campaign", "status", "created_at", "built_at", "error", "pdf_url", "csv_url"]
        read_only_fields = ["status", "created_at", "built_at", "error"]

    def _url(self, report: ResultsReport, kind: str) -> str | None:
        if report.status != ResultsReport.Status.READY:
            return None
        return self.context["request"].build_absolute_uri(reverse("campaigns:results-report", args=[report.pk, kind]))

    def get_pdf_url(self, report: ResultsReport) -> str | None:
        return self._url(report, "pdf")

    def get_csv_url(self, report: ResultsReport) -> str | None:
        return self._url(report, "csv")

    def save_instance(self, instance):
        return report_services.results_report_request(campaign=instance.campaign, user=self.context["request"].user)


class ResultsReportViewSet(ScopedModelViewSet):
    """The shared results reports of your campaigns (built when a campaign moves to Reporting, or on demand)."""

    queryset = ResultsReport.objects.select_related("campaign")
    serializer_class = ResultsReportSerializer
    filterset_fields = ["campaign", "status"]
    http_method_names = ["get", "post", "head", "options"]


class LearningSerializer(ScopedModelSerializer):
    class Meta:
        model = Learning
        fields = ["id", "campaign", "organization", "text", "updated_at"]
        read_only_fields = ["updated_at"]


class LearningViewSet(ScopedModelViewSet):
    """What each company learned from a campaign, for its results report: every party reads, each writes its own."""

    queryset = Learning.objects.select_related("organization")
    serializer_class = LearningSerializer
    filterset_fields = ["campaign"]
