from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from campaigns.models import Campaign, CrmImport
from campaigns.services import crm_imports as services
from partners.scoping import ADD, ensure_may
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.services import person_of
from utilities.validation import validate_period_span, work_date


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


class PeriodUploadSerializer(serializers.Serializer):
    """An export uploaded for a campaign and period: the campaigns offered are the user's open ones, the period is
    ordered and bounded, and the file no larger than the importer's MAX_BYTES."""

    max_bytes = services.MAX_BYTES
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    period_start = serializers.DateField(validators=[work_date])
    period_end = serializers.DateField(validators=[work_date])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none when the schema is generated
        if request is not None:
            self.fields["campaign"].queryset = Campaign.objects.for_user(request.user).open()

    def validate(self, data):
        if data["period_end"] < data["period_start"]:
            raise serializers.ValidationError({"period_end": "The period cannot end before it starts."})
        validate_period_span(data["period_start"], data["period_end"])
        if data["file"].size > self.max_bytes:
            raise serializers.ValidationError({"file": f"The file is larger than {self.max_bytes // 2**20} MB."})
        return data


class CrmUploadSerializer(PeriodUploadSerializer):
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


class CrmImportViewSet(ScopedModelViewSet):
    """Your company's CRM lead exports counted into KPI figures (preview first with `preview=true`); uploading
    the same period again replaces its figures."""

    queryset = CrmImport.objects.select_related("campaign", "organization")
    serializer_class = CrmImportSerializer
    parser_classes = [MultiPartParser]
    filterset_fields = ["campaign"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request={"multipart/form-data": CrmUploadSerializer},
        responses={201: CrmImportSerializer, 200: CrmPreviewSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = CrmUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        person = person_of(request.user)
        if person is None:
            raise serializers.ValidationError("Only a person of a company imports its CRM figures.")
        content = data["file"].read()
        if data["preview"]:
            preview = services.crm_import_preview(
                campaign=data["campaign"],
                organization_id=person.organization_id,
                content=content,
                status_column=data["status_column"],
            )
            return Response(CrmPreviewSerializer(preview).data)
        with transaction.atomic():
            crm_import = services.crm_import_apply(
                campaign=data["campaign"],
                person=person,
                content=content,
                file_name=data["file"].name,
                period_start=data["period_start"],
                period_end=data["period_end"],
                status_column=data["status_column"],
            )
            ensure_may(request.user, crm_import, ADD)
        return Response(
            CrmImportSerializer(crm_import, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
