from rest_framework import serializers

from partners.models import Organization, Person
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.filters import ScopedFilterSet


class OrganizationSerializer(ScopedModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "website", "partner_tier", "ideal_customer_profile", "value_proposition", "listed_in_directory"]


class OrganizationViewSet(ScopedModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]


class PersonSerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "organization", "organization_name", "full_name", "email", "job_title", "time_zone"]
        extra_kwargs = {"organization": {"required": False}}


class PersonFilterSet(ScopedFilterSet):
    class Meta:
        model = Person
        fields = ["organization"]


class PersonViewSet(ScopedModelViewSet):
    queryset = Person.objects.select_related("organization")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ["full_name", "email"]
    ordering_fields = ["full_name"]
