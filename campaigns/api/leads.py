from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import LeadShare, LeadSharingTerms
from campaigns.selectors.leads import tracking_links
from campaigns.services import kpis as kpi_services
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet


class TrackingLinkSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    organization_name = serializers.CharField()
    utm_source = serializers.CharField()
    url = serializers.CharField()


class LeadSharingTermsSerializer(ScopedModelSerializer):
    tracking_links = serializers.SerializerMethodField()

    class Meta:
        model = LeadSharingTerms
        fields = [
            "id",
            "version",
            "campaign",
            "consent_text",
            "retention_days",
            "first_contact",
            "follow_up_days",
            "tracking_links",
        ]

    @extend_schema_field(TrackingLinkSerializer(many=True))
    def get_tracking_links(self, terms: LeadSharingTerms) -> list[dict]:
        """Each company's own link to the registration page (UTM parameters), so registrations count per source."""
        return TrackingLinkSerializer(tracking_links(terms.campaign), many=True).data

    def save_instance(self, instance):
        instance._history_user = self.context["request"].user
        return kpi_services.agreed_terms_save(row=instance, campaign=instance.campaign)


class LeadShareSerializer(ScopedModelSerializer):
    class Meta:
        model = LeadShare
        fields = ["id", "version", "terms", "organization", "field"]

    def save_instance(self, instance):
        instance._history_user = self.context["request"].user
        return kpi_services.agreed_terms_save(row=instance, campaign=instance.terms.campaign)


class LeadSharingTermsViewSet(ScopedModelViewSet):
    """A campaign's lead-sharing terms, agreed by every company with the KPIs (`/api/kpi-rounds/{id}/agree/`);
    the round pins them as agreed (`agreed_lead_terms`). A locked round refuses changes until a new one starts."""

    queryset = LeadSharingTerms.objects.select_related("campaign").order_by("pk")  # pages need an order
    serializer_class = LeadSharingTermsSerializer
    filterset_fields = ["campaign"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class LeadShareViewSet(ScopedModelViewSet):
    """Which company receives which registrant field, under the terms."""

    queryset = LeadShare.objects.select_related("terms__campaign")
    serializer_class = LeadShareSerializer
    filterset_fields = ["terms", "organization"]

    def perform_destroy(self, instance):
        kpi_services.agreed_terms_delete(row=instance, campaign=instance.terms.campaign)
