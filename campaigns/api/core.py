from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.selectors import core as selectors
from campaigns.services import core as services
from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from comarketing.api.permissions import ChangeActionPermissions
from partners.models import Organization
from partners.scoping.api import ScopedFilterSet, ScopedModelSerializer, ScopedModelViewSet


class PartySerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    point_of_contact_name = serializers.CharField(source="point_of_contact.full_name", read_only=True, default=None)

    class Meta:
        model = Party
        fields = ["id", "campaign", "organization", "organization_name", "role", "point_of_contact", "point_of_contact_name"]

    def scoped_choices(self, field_name, model, user):
        if field_name == "organization":
            return Organization.objects.selectable_as_partner(user)
        return super().scoped_choices(field_name, model, user)


class MemberSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    organization = serializers.IntegerField(source="person.organization_id", read_only=True)
    organization_name = serializers.CharField(source="person.organization.name", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Member
        fields = ["id", "campaign", "person", "person_name", "organization", "organization_name", *Member.ROLE_FIELDS, "roles"]


class CampaignSerializer(ScopedModelSerializer):
    parties = PartySerializer(many=True, read_only=True)
    team = MemberSerializer(source="members", many=True, read_only=True)
    created_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "kind", "status", "kickoff_date", "launch_date", "end_date", "goals",
            "parties", "team", "created_by", "created_at", "updated_at",
        ]
        read_only_fields = ["status"]

    def save_instance(self, instance):
        if instance.pk is None:
            instance._history_user = self.context["request"].user
            return services.campaign_create(user=self.context["request"].user, campaign=instance)
        return super().save_instance(instance)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Campaign.Status.choices)


class CampaignFilterSet(ScopedFilterSet):
    class Meta:
        model = Campaign
        fields = {"status": ["exact"], "kind": ["exact"], "parties__organization": ["exact"], "launch_date": ["gte", "lte"]}


class CampaignViewSet(ScopedModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "launch_date", "created_at"]

    def base_queryset(self):
        return Campaign.objects.select_related("created_by").prefetch_related(
            selectors.parties_prefetch(), selectors.members_prefetch()
        )

    @extend_schema(request=TransitionSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def transition(self, request, pk=None):
        """Move the campaign to the next status (draft → kickoff → … → closed, or cancelled)."""
        campaign = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign._history_user = request.user
        services.campaign_transition(campaign=campaign, status=payload.validated_data["status"])
        return Response(self.get_serializer(self.base_queryset().get(pk=campaign.pk)).data)

    @action(detail=True, methods=["get"], url_path="raci-matrix")
    def raci_matrix(self, request, pk=None):
        """Deliverables × team members, the letters each holds, and the gaps (no Accountable / Responsible)."""
        return Response(selectors.raci_matrix(campaign=self.get_object()).as_dict())


class PartyViewSet(ScopedModelViewSet):
    queryset = Party.objects.select_related("organization", "point_of_contact")
    serializer_class = PartySerializer
    filterset_fields = ["campaign", "organization", "role"]


class MemberViewSet(ScopedModelViewSet):
    queryset = Member.objects.select_related("person__organization")
    serializer_class = MemberSerializer
    filterset_fields = ["campaign", "person", *Member.ROLE_FIELDS]


class RaciAssignmentSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="member.person.full_name", read_only=True)

    class Meta:
        model = RaciAssignment
        fields = ["id", "deliverable", "member", "person_name", "role"]


class DeliverableSerializer(ScopedModelSerializer):
    accountable = serializers.CharField(source="accountable_name", read_only=True, default=None)
    raci = RaciAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "id", "campaign", "title", "type", "channel_party", "due_date", "status", "link",
            "needs_signoff", "needs_legal_review", "accountable", "raci",
        ]


class DeliverableFilterSet(ScopedFilterSet):
    class Meta:
        model = Deliverable
        fields = {"campaign": ["exact"], "status": ["exact"], "type": ["exact"], "due_date": ["gte", "lte"]}


class DeliverableViewSet(ScopedModelViewSet):
    queryset = Deliverable.objects.all()
    serializer_class = DeliverableSerializer
    filterset_class = DeliverableFilterSet
    search_fields = ["title"]
    ordering_fields = ["due_date", "title", "status"]

    def base_queryset(self):
        return selectors.with_list_columns(Deliverable.objects.all()).prefetch_related("raci__member__person")


class RaciAssignmentViewSet(ScopedModelViewSet):
    queryset = RaciAssignment.objects.select_related("member__person")
    serializer_class = RaciAssignmentSerializer
    filterset_fields = ["deliverable", "deliverable__campaign", "member", "role"]

    def perform_destroy(self, instance):
        with transaction.atomic():
            services.raci_unassign(assignment=instance)

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
