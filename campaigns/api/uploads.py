"""The API's side of importing an export (a CRM's leads, a webinar platform's registrants), one way for each:
a campaign, a period and the file; `preview=true` says what it would record, without it the file is imported."""

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from campaigns.models import Campaign
from partners.scoping import ADD, ensure_may
from partners.scoping.api import ScopedModelViewSet
from partners.services import person_of
from utilities.validation import validate_period_span, work_date


class PeriodUploadSerializer(serializers.Serializer):
    """An export uploaded for a campaign and period: the campaigns offered are the user's open ones, the period is
    ordered and bounded, and the file no larger than the importer's MAX_BYTES."""

    max_bytes = 0  # the importer's MAX_BYTES
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


class PreviewedUploadViewSet(ScopedModelViewSet):
    """An import's list and rows, and its upload: `upload_serializer_class` reads the request, `preview` answers
    what the file holds, `save` imports it (returning the import and whether it is new: 201, else 200)."""

    upload_serializer_class: type[PeriodUploadSerializer]
    imports_what = ""
    parser_classes = [MultiPartParser]
    http_method_names = ["get", "post", "head", "options"]

    def preview(self, data: dict, person) -> dict:
        raise NotImplementedError

    def save(self, data: dict, person) -> tuple:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        upload = self.upload_serializer_class(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        person = person_of(request.user)
        if person is None:
            raise serializers.ValidationError(f"Only a person of a company imports {self.imports_what}.")
        if data["preview"]:
            return Response(self.preview(data, person))
        with transaction.atomic():
            row, created = self.save(data, person)
            ensure_may(request.user, row, ADD)
        return Response(
            self.get_serializer(row).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
