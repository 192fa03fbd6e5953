from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from campaigns.api.uploads import PeriodUploadSerializer, PreviewedUploadViewSet
from campaigns.models import CrmImport
from campaigns.services import crm_imports as services
from partners.scoping.api import ScopedModelSerializer


class CrmImportSerializer(ScopedModelSerializer):
    class Meta:
        model = CrmImport
        fields = [
            "id",
            "campaign",
            "organization",
            "period_start",
            "period_end",
            "file_name",
            "rows",
            "leads_by_stage",
            "created_at",
        ]
        read_only_fields = fields


class CrmUploadSerializer(PeriodUploadSerializer):
    max_bytes = services.MAX_BYTES
    file = serializers.FileField(
        max_length=200,
        help_text="The CRM's lead export as CSV (comma, semicolon or tab; UTF-8 or Windows-1252).",
    )
    status_column = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        help_text="The column holding each lead's status; left out, the preview's guess (`status_column`).",
    )
    preview = serializers.BooleanField(default=False, help_text="Only say what the file would record.")


class CrmPreviewSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    leads_by_stage = serializers.DictField(child=serializers.IntegerField())
    figures = serializers.DictField(child=serializers.IntegerField())
    status_column = serializers.CharField(help_text="The column read as each lead's status (chosen, or guessed).")
    columns = serializers.ListField(child=serializers.CharField(), help_text="The file's columns, to choose from.")
    detected = serializers.CharField(help_text="How the file was read, e.g. “Semicolon-separated, Windows-1252”.")


class CrmImportViewSet(PreviewedUploadViewSet):
    """Your company's CRM lead exports counted into KPI figures (preview first with `preview=true`); uploading
    the same period again replaces its figures."""

    queryset = CrmImport.objects.select_related("campaign", "organization")
    serializer_class = CrmImportSerializer
    filterset_fields = ["campaign"]

    upload_serializer_class = CrmUploadSerializer
    imports_what = "its CRM figures"

    @extend_schema(
        request={"multipart/form-data": CrmUploadSerializer},
        responses={201: CrmImportSerializer, 200: CrmPreviewSerializer},
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def preview(self, data, person):
        preview = services.crm_import_preview(
            campaign=data["campaign"],
            organization_id=person.organization_id,
            content=data["file"].read(),
            status_column=data["status_column"],
        )
        return CrmPreviewSerializer(preview).data

    def save(self, data, person):
        crm_import = services.crm_import_apply(
            campaign=data["campaign"],
            person=person,
            content=data["file"].read(),
            file_name=data["file"].name,
            period_start=data["period_start"],
            period_end=data["period_end"],
            status_column=data["status_column"],
        )
        return crm_import, True
