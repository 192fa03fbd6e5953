from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers

from campaigns.api.uploads import PeriodUploadSerializer, PreviewedUploadViewSet
from campaigns.models import Registrant, RegistrantImport
from campaigns.services import registrants as services
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet


class SourceCountSerializer(serializers.Serializer):
    organization = serializers.IntegerField(allow_null=True, help_text="Null for registrants of no company's link.")
    name = serializers.CharField()
    registrants = serializers.IntegerField()
    attendees = serializers.IntegerField()


class RegistrantImportSerializer(ScopedModelSerializer):
    by_source = SourceCountSerializer(many=True, read_only=True)
    columns = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = RegistrantImport
        fields = [
            "id",
            "campaign",
            "organization",
            "period_start",
            "period_end",
            "file_name",
            "columns",
            "registrants",
            "attendees",
            "by_source",
            "created_at",
        ]
        read_only_fields = fields


class RegistrantUploadSerializer(PeriodUploadSerializer):
    max_bytes = services.MAX_BYTES
    file = serializers.FileField(max_length=200, help_text="The webinar platform's registrant export as CSV.")
    email_column = serializers.CharField(max_length=200, required=False, default="")
    attended_column = serializers.CharField(max_length=200, required=False, default="")
    source_column = serializers.CharField(
        max_length=200, required=False, default="", help_text="The column holding utm_source (the tracking link's)."
    )
    preview = serializers.BooleanField(default=False, help_text="Only say what the file holds.")

    def validate(self, data):
        data = super().validate(data)
        data["columns"] = {
            role: data.pop(f"{role}_column") for role in ("email", "attended", "source") if data.get(f"{role}_column")
        }
        return data


class RegistrantPreviewSerializer(serializers.Serializer):
    registrants = serializers.IntegerField()
    attendees = serializers.IntegerField()
    by_source = SourceCountSerializer(many=True)
    columns = serializers.DictField(child=serializers.CharField(), help_text="The column read for each role.")
    header = serializers.ListField(child=serializers.CharField(), help_text="The file's columns, to choose from.")
    detected = serializers.CharField(help_text="How the file was read, e.g. “Comma-separated, UTF-8”.")


class RegistrantImportViewSet(PreviewedUploadViewSet):
    """Webinar registrant exports counted per source company (utm_source of each company's tracking link) and in
    total, filling the registrations and attendees KPIs; preview first with `preview=true`. Each person of the file
    is kept as a registrant (`/api/registrants/`), read as the agreed lead-sharing terms say. The same file again
    answers 200 with its first import and records nothing."""

    queryset = RegistrantImport.objects.select_related("campaign", "organization")
    serializer_class = RegistrantImportSerializer
    filterset_fields = ["campaign"]

    upload_serializer_class = RegistrantUploadSerializer
    imports_what = "its registrants"

    @extend_schema(
        request={"multipart/form-data": RegistrantUploadSerializer},
        responses={
            201: RegistrantImportSerializer,
            # The preview, or the first import of a file sent again.
            200: PolymorphicProxySerializer(
                component_name="RegistrantPreviewOrImport",
                serializers=[RegistrantPreviewSerializer, RegistrantImportSerializer],
                resource_type_field_name=None,
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def preview(self, data, person):
        counted = services.registrants_count(
            campaign=data["campaign"], stream=data["file"].file, columns=data["columns"]
        )
        return RegistrantPreviewSerializer(counted).data

    def save(self, data, person):
        return services.registrants_import(
            campaign=data["campaign"],
            person=person,
            stream=data["file"].file,
            file_name=data["file"].name,
            period_start=data["period_start"],
            period_end=data["period_end"],
            columns=data["columns"],
        )


class RegistrantSerializer(ScopedModelSerializer):
    source_organization_name = serializers.CharField(
        source="source_organization.name",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="Null for no company's link.",
    )

    class Meta:
        model = Registrant
        fields = [
            "id",
            "campaign",
            "registrant_import",
            "row",
            "source_organization",
            "source_organization_name",
            "email",
            "name",
            "company",
            "job_title",
            "phone",
            "country",
            "attended",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_null": True, "help_text": "Null where the agreed lead-sharing terms do not give it to you."}
            for name in ("email", "name", "company", "job_title", "phone", "country")
        }


class RegistrantViewSet(ScopedModelViewSet):
    """The people of the imported registrant exports. The importing company reads all of a registrant; another
    company reads registrants only once the lead-sharing terms agreed by every company name it, and of them only
    the fields the terms give it (the others are null). Until terms are agreed, only the importing company reads
    them. The importing company may delete one (a person asking to be forgotten)."""

    queryset = Registrant.objects.select_related("source_organization")
    serializer_class = RegistrantSerializer
    filterset_fields = ["campaign", "registrant_import", "source_organization"]
    ordering_fields = ["id", "row"]  # never a personal field: the order would tell what the reader may not read
    http_method_names = ["get", "delete", "head", "options"]
