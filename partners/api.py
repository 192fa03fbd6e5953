from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from partners import governance
from partners.models import IdentityProvider, Organization, PartnerRelationship, Person, SignOnDomain
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.filters import ScopedFilterSet
from utilities.api import ChangeActionPermissions


class OrganizationSerializer(ScopedModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "website",
            "country",
            "ideal_customer_profile",
            "value_proposition",
            "listed_in_directory",
            "requires_two_factor",
        ]


class OrganizationViewSet(ScopedModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]


class PersonSerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "organization",
            "organization_name",
            "full_name",
            "email",
            "job_title",
            "time_zone",
            "is_company_admin",
            "is_active",
            "deactivated_at",
        ]
        extra_kwargs = {"organization": {"required": False}}


class ColleagueInvitationSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=150)
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


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
    # Only a company's administrators govern its people (the person rule "govern").
    action_rules = {
        "invite": governance.GOVERN,
        "deactivate": governance.GOVERN,
        "reactivate": governance.GOVERN,
        "grant_admin": governance.GOVERN,
        "remove_admin": governance.GOVERN,
    }

    def _answer(self, person: Person, **kwargs) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data, **kwargs)

    @extend_schema(request=ColleagueInvitationSerializer, responses={201: PersonSerializer})
    @action(detail=False, methods=["post"])
    def invite(self, request):
        """Invite a colleague (administrators only): a person of your company with a login, who gets an e-mail
        with a single-use link to choose a password (valid WELCOME_LINK_DAYS)."""
        payload = ColleagueInvitationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = governance.colleague_invite(user=request.user, **payload.validated_data)
        return self._answer(person, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def deactivate(self, request, pk=None):
        """Deactivate someone who left (administrators only): their sessions, API tokens and calendar feeds end at
        once, reminders stop; their history stays. The last administrator is refused (400)."""
        return self._answer(governance.person_deactivate(user=request.user, person=self.get_object()))

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def reactivate(self, request, pk=None):
        """Let a deactivated person back in (administrators only)."""
        return self._answer(governance.person_reactivate(user=request.user, person=self.get_object()))

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"], url_path="grant-admin", permission_classes=[ChangeActionPermissions])
    def grant_admin(self, request, pk=None):
        """Make a colleague an administrator of your company (administrators only)."""
        return self._answer(governance.company_admin_set(user=request.user, person=self.get_object(), admin=True))

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"], url_path="remove-admin", permission_classes=[ChangeActionPermissions])
    def remove_admin(self, request, pk=None):
        """Remove a colleague's administrator role (administrators only); the last administrator keeps it (400)."""
        return self._answer(governance.company_admin_set(user=request.user, person=self.get_object(), admin=False))


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


class IdentityProviderSerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = IdentityProvider
        fields = [
            "id",
            "organization",
            "organization_name",
            "issuer",
            "client_id",
            "client_secret",
            "is_enabled",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "organization": {"required": False},
            "client_secret": {"write_only": True, "help_text": "Written, never returned; left out, it stays."},
        }

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["client_secret"].required = False
        return fields


class IdentityProviderViewSet(ScopedModelViewSet):
    """Your company's OpenID Connect provider (its administrators only): its people sign in through it."""

    queryset = IdentityProvider.objects.select_related("organization")
    serializer_class = IdentityProviderSerializer


class SignOnDomainSerializer(ScopedModelSerializer):
    class Meta:
        model = SignOnDomain
        fields = ["id", "organization", "domain", "created_at"]
        extra_kwargs = {"organization": {"required": False}}


class SignOnDomainViewSet(ScopedModelViewSet):
    """The e-mail domains your company claims for single sign-on (its administrators only); a domain another
    company claims, or a public mail service's, is refused (400)."""

    queryset = SignOnDomain.objects.all()
    serializer_class = SignOnDomainSerializer
    ordering_fields = ["domain"]
