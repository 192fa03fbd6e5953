from rest_framework import serializers

from partners.models import Organization, PartnerRelationship, Person
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.filters import ScopedFilterSet


class OrganizationSerializer(ScopedModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "website", "ideal_customer_profile", "value_proposition", "listed_in_directory"]


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


class PartnerRelationshipSerializer(ScopedModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = PartnerRelationship
        fields = ["id", "vendor", "vendor_name", "partner", "partner_name", "tier", "since"]
        extra_kwargs = {"vendor": {"required": False}}


class PartnerRelationshipViewSet(ScopedModelViewSet):
    """Your partners and their tiers (you are the vendor), and the vendors that count you as a partner."""

    queryset = PartnerRelationship.objects.select_related("vendor", "partner")
    serializer_class = PartnerRelationshipSerializer
    ordering_fields = ["partner__name", "tier"]
