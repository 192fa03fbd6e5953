from collections import defaultdict

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.api.plans import CampaignPlanSerializer, CampaignTemplateSerializer, EventMoveSerializer
from campaigns.models import Campaign, CampaignTemplate, Deliverable, Invitation, Member, Party, RaciAssignment
from campaigns.models.invitations import CONTACT_EMAIL_MAX_CHARS, INVITED_NAME_MAX_CHARS, MESSAGE_MAX_CHARS
from campaigns.pages.timeline import timeline_marks_of
from campaigns.selectors import core as selectors
from campaigns.selectors import plans as plan_selectors
from campaigns.services import core as services
from campaigns.services import invitations as invitation_services
from campaigns.services import plan_moves as plan_move_services
from campaigns.services import plans as plan_services
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, VIEW, may, organization_id_of, refusal
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.filters import ScopedFilterSet
from utilities.api import ChangeActionPermissions
from utilities.validation import validate_single_line


class PartySerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    point_of_contact_name = serializers.CharField(
        source="point_of_contact.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Party
        fields = [
            "id",
            "campaign",
            "organization",
            "organization_name",
            "role",
            "point_of_contact",
            "point_of_contact_name",
        ]

    def to_representation(self, party):
        # Written by hand, like the campaign's (see CampaignSerializer.to_representation).
        contact = party.point_of_contact
        return {
            "id": party.pk,
            "campaign": party.campaign_id,
            "organization": party.organization_id,
            "organization_name": party.organization.name,
            "role": party.role,
            "point_of_contact": party.point_of_contact_id,
            "point_of_contact_name": contact.full_name if contact is not None else None,
        }


class MemberSerializer(ScopedModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    organization = serializers.IntegerField(source="person.organization_id", read_only=True)
    organization_name = serializers.CharField(source="person.organization.name", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "campaign",
            "person",
            "person_name",
            "organization",
            "organization_name",
            *Member.ROLE_FIELDS,
            "roles",
        ]

    def to_representation(self, member):
        # Written by hand, like the campaign's (see CampaignSerializer.to_representation).
        person = member.person
        return {
            "id": member.pk,
            "campaign": member.campaign_id,
            "person": member.person_id,
            "person_name": person.full_name,
            "organization": person.organization_id,
            "organization_name": person.organization.name,
            **{field: getattr(member, field) for field in Member.ROLE_FIELDS},
            "roles": member.roles,
        }


_DATE, _MOMENT = serializers.DateField(), serializers.DateTimeField()  # read-only use: in the user's time zone


def _represented(field: serializers.Field, value):
    return None if value is None else field.to_representation(value)


class CampaignListSerializer(serializers.ListSerializer):
    """A page of campaigns with their parties and team read as plain rows, two queries for the whole page:
    building some 800 model instances per page of 50 was most of a list request's time."""

    def to_representation(self, data):
        campaigns = list(data)
        ids = [campaign.pk for campaign in campaigns]
        parties, team = defaultdict(list), defaultdict(list)
        for party in Party.objects.filter(campaign_id__in=ids).values(
            "id",
            "campaign",
            "organization",
            "role",
            "point_of_contact",
            "version",
            organization_name=F("organization__name"),
            point_of_contact_name=F("point_of_contact__full_name"),
        ):
            parties[party["campaign"]].append(party)
        for member in Member.objects.filter(campaign_id__in=ids).values(
            "id",
            "campaign",
            "person",
            "version",
            *Member.ROLE_FIELDS,
            person_name=F("person__full_name"),
            organization=F("person__organization_id"),
            organization_name=F("person__organization__name"),
        ):
            member["roles"] = [label for field, label in Member.ROLE_FIELDS.items() if member[field]]
            team[member["campaign"]].append(member)
        return [self.child.represent(campaign, parties[campaign.pk], team[campaign.pk]) for campaign in campaigns]


class KpiTargetsField(serializers.DictField):
    """A dict of metric code -> target whose refusals are reported under the field's own name, one message per bad
    entry naming its key: the documented 400 body is `{field: [messages]}`, never keyed by the client's dict keys."""

    KEY_SHOWN_CHARS = 60

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(
                [
                    f"{str(key)[: self.KEY_SHOWN_CHARS]!r}: {message}"
                    for key, messages in error.detail.items()
                    for message in (messages if isinstance(messages, list) else [messages])
                ]
            ) from None


# Write-only fields that say how a campaign starts; a change ignores them.
CREATE_ONLY = ("invite", "team_members", "host", "invite_message", "decision_maker", "project_lead", "kpi_targets")


class CampaignSerializer(ScopedModelSerializer):
    parties = PartySerializer(many=True, read_only=True)
    team = MemberSerializer(source="members", many=True, read_only=True)
    created_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    invite = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="On create: the partner company to invite (it joins once it accepts).",
    )
    invite_message = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=MESSAGE_MAX_CHARS
    )
    team_members = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        many=True,
        write_only=True,
        required=False,
        help_text="On create: people of your company to put on the team (you join it anyway).",
    )
    template = serializers.PrimaryKeyRelatedField(
        queryset=CampaignTemplate.objects.none(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="On create: plan the whole campaign from this template, counted back from launch_date (the event).",
    )
    host = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        write_only=True,
        required=False,
        help_text="Operator only, on create: the host company (a company user's own company hosts).",
    )
    decision_maker = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="On create: the host company's decision maker on the campaign (a person; they join the team).",
    )
    project_lead = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="On create: the host company's project lead on the campaign (a person; they join the team).",
    )
    kpi_targets = KpiTargetsField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0),
        write_only=True,
        required=False,
        help_text='On create from a template: the target of each of its KPIs, by metric code, e.g. {"registrations": '
        '200, "attendees": 80}. A KPI left out takes a figure the goals state plainly ("200 registrations").',
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "kickoff_date",
            "launch_date",
            "end_date",
            "goals",
            "parties",
            "team",
            "created_by",
            "created_at",
            "updated_at",
            "invite",
            "invite_message",
            "team_members",
            "host",
            "template",
            "decision_maker",
            "project_lead",
            "kpi_targets",
        ]
        read_only_fields = ["status"]
        list_serializer_class = CampaignListSerializer

    def to_representation(self, campaign):
        """The declared fields' output, written by hand: DRF's field-by-field reading was most of the time of a
        list request (50 campaigns, their parties and team). The declared fields stay the schema and the write
        side; tests/campaigns/test_core_api.py checks this gives exactly what they would."""
        fields = self.fields
        return self.represent(
            campaign,
            fields["parties"].to_representation(campaign.parties.all()),
            fields["team"].to_representation(campaign.members.all()),
        )

    def represent(self, campaign, parties: list[dict], team: list[dict]) -> dict:
        # Dates as the declared fields write them, without building the serializer's fields: a list needs none of
        # its write-side choices (partners to invite, team members, templates), each a scoped queryset.
        return {
            "id": campaign.pk,
            "name": campaign.name,
            "kind": campaign.kind,
            "status": campaign.status,
            "kickoff_date": _represented(_DATE, campaign.kickoff_date),
            "launch_date": _represented(_DATE, campaign.launch_date),
            "end_date": _represented(_DATE, campaign.end_date),
            "goals": campaign.goals,
            "parties": parties,
            "team": team,
            "created_by": str(campaign.created_by) if campaign.created_by_id is not None else None,
            "created_at": _represented(_MOMENT, campaign.created_at),
            "updated_at": _represented(_MOMENT, campaign.updated_at),
            "version": campaign.version,
        }

    def scoped_choices(self, field_name, model, user):
        if field_name == "invite":
            return Organization.objects.selectable_as_partner(user)
        if field_name in ("team_members", "decision_maker", "project_lead"):
            return Person.objects.for_user(user, CHANGE)
        if field_name == "host":
            return Organization.objects.all() if user.is_superuser else Organization.objects.none()
        return super().scoped_choices(field_name, model, user)

    def create(self, validated_data):
        options = {
            "partner": validated_data.pop("invite", None),
            "team": validated_data.pop("team_members", []),
            "host": validated_data.pop("host", None),
            "message": validated_data.pop("invite_message", ""),
            "decision_maker": validated_data.pop("decision_maker", None),
            "project_lead": validated_data.pop("project_lead", None),
            "kpi_targets": validated_data.pop("kpi_targets", None),
        }
        template = validated_data.pop("template", None)
        campaign = Campaign(**validated_data)
        user = self.context["request"].user
        campaign._history_user = user
        return services.campaign_create(
            user=user, campaign=campaign, template=template, event_date=campaign.launch_date, **options
        )

    def update(self, instance, validated_data):
        for option in (*CREATE_ONLY, "template"):
            validated_data.pop(option, None)
        return super().update(instance, validated_data)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Campaign.Status.choices)


class HandOverSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), help_text="The partner company that becomes the host."
    )


class SaveTemplateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class MoveEventSerializer(serializers.Serializer):
    event_date = serializers.DateField()
    apply = serializers.BooleanField(default=False, help_text="false: only preview the new dates; true: move.")


class RaciMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The member (a column of the matrix).")
    person = serializers.CharField()
    organization = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField(), help_text="Stakeholder roles, as labels.")


class RaciRowSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Deliverable.Status.choices)
    due_date = serializers.DateField(allow_null=True)
    cells = serializers.ListField(
        child=serializers.CharField(allow_blank=True), help_text='One per member, in `members` order: e.g. "R/A".'
    )
    gaps = serializers.ListField(child=serializers.CharField(), help_text='e.g. "No Accountable".')


class RaciMatrixSerializer(serializers.Serializer):
    """What GET /api/campaigns/{id}/raci-matrix/ answers (documentation: the selector builds the data)."""

    campaign = serializers.IntegerField()
    members = RaciMemberSerializer(many=True)
    rows = RaciRowSerializer(many=True)
    unassigned_members = serializers.ListField(child=serializers.IntegerField())


class CampaignFilterSet(ScopedFilterSet):
    class Meta:
        model = Campaign
        fields = {
            "status": ["exact"],
            "kind": ["exact"],
            "parties__organization": ["exact"],
            "launch_date": ["gte", "lte"],
        }


class CampaignViewSet(ScopedModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    # Any company taking part may keep the plan as its own template.
    action_rules = {
        "transition": CHANGE,
        "raci_matrix": VIEW,
        "leave": "leave",
        "hand_over": CHANGE,
        "save_template": VIEW,
        "move_event": CHANGE,
        "plan": VIEW,
    }
    filterset_class = CampaignFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "launch_date", "created_at"]

    def base_queryset(self):
        campaigns = Campaign.objects.select_related("created_by")
        if self.action == "list":
            return campaigns  # CampaignListSerializer reads the page's parties and team as rows
        return campaigns.prefetch_related(selectors.parties_prefetch(), selectors.members_prefetch())

    @extend_schema(request=TransitionSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def transition(self, request, pk=None):
        """Move the campaign to the next status (draft → kickoff → … → closed, or cancelled)."""
        campaign = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign._history_user = request.user
        services.campaign_transition(campaign=campaign, status=payload.validated_data["status"], user=request.user)
        return Response(self.get_serializer(self.base_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def leave(self, request, pk=None):
        """Your company leaves the campaign (the host hands its role over first). The leads of every company
        are told."""
        campaign = self.get_object()
        party = Party.objects.filter(campaign=campaign, organization_id=organization_id_of(request.user)).first()
        if party is None:
            raise serializers.ValidationError("Only a company taking part in the campaign can leave it.")
        invitation_services.party_end(party=party, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=HandOverSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over", permission_classes=[ChangeActionPermissions])
    def hand_over(self, request, pk=None):
        """Make a partner company the host (only the host does this)."""
        campaign = self.get_object()
        payload = HandOverSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        party = Party.objects.filter(campaign=campaign, organization=payload.validated_data["organization"]).first()
        if party is None:
            raise serializers.ValidationError({"organization": "The new host must take part in this campaign."})
        invitation_services.host_hand_over(campaign=campaign, to=party, user=request.user)
        return Response(self.get_serializer(self.base_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=SaveTemplateSerializer, responses={201: CampaignTemplateSerializer})
    @action(detail=True, methods=["post"], url_path="save-template")
    def save_template(self, request, pk=None):
        """Keep this campaign's plan as a template of your company (offsets in business days from the launch)."""
        campaign = self.get_object()
        payload = SaveTemplateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            template = plan_services.template_save_from_campaign(
                campaign=campaign, name=payload.validated_data["name"], user=request.user
            )
        data = CampaignTemplateSerializer(template, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveEventSerializer, responses=EventMoveSerializer)
    @action(detail=True, methods=["post"], url_path="move-event", permission_classes=[ChangeActionPermissions])
    def move_event(self, request, pk=None):
        """Move the event (launch) date: unfinished, unpinned deliverables shift by as many business days.
        With apply=false the answer is the preview; with apply=true the same moves are made."""
        campaign = self.get_object()
        payload = MoveEventSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new_event = payload.validated_data["event_date"]
        if payload.validated_data["apply"]:
            move = plan_move_services.event_move(campaign=campaign, new_event=new_event, user=request.user)
        else:
            move = plan_move_services.event_move_preview(campaign=campaign, new_event=new_event)
        return Response({**move.as_dict(), "applied": payload.validated_data["apply"]})

    @extend_schema(responses=CampaignPlanSerializer)
    @action(detail=True, methods=["get"])
    def plan(self, request, pk=None):
        """The timeline's dates as data: the event, each deliverable's due date, latest safe start and review
        window (business days from the kickoff answers' lead times), and the meetings."""
        campaign = self.get_object()
        plan = {
            "kickoff_date": campaign.kickoff_date,
            "event_date": campaign.launch_date,
            "deliverables": plan_selectors.campaign_plan(campaign.pk),
            "marks": timeline_marks_of(campaign),
        }
        return Response(CampaignPlanSerializer(plan, context={"today": timezone.localdate()}).data)

    @extend_schema(responses=RaciMatrixSerializer)
    @action(detail=True, methods=["get"], url_path="raci-matrix")
    def raci_matrix(self, request, pk=None):
        """Deliverables × team members, the letters each holds, and the gaps (no Accountable / Responsible)."""
        return Response(selectors.raci_matrix(campaign=self.get_object()).as_dict())


class PartyViewSet(ScopedModelViewSet):
    """The companies taking part. A company joins by accepting an invitation; deleting a party is the host
    removing a partner, or a partner leaving (its records stay as history)."""

    queryset = Party.objects.select_related("organization", "point_of_contact")
    serializer_class = PartySerializer
    filterset_fields = ["campaign", "organization", "role"]
    http_method_names = ["get", "patch", "put", "delete", "head", "options"]

    def perform_destroy(self, instance):
        invitation_services.party_end(party=instance, user=self.request.user)


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
    accountable = serializers.CharField(source="accountable_name", read_only=True, allow_null=True, default=None)
    raci = RaciAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "campaign",
            "title",
            "type",
            "channel_party",
            "due_date",
            "status",
            "link",
            "needs_signoff",
            "needs_legal_review",
            "is_pinned",
            "accountable",
            "raci",
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


class InvitationSerializer(ScopedModelSerializer):
    """What an invited company sees before it accepts: the campaign's name, kind, dates, host and who invited."""

    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    campaign_kind = serializers.CharField(source="campaign.get_kind_display", read_only=True)
    launch_date = serializers.DateField(source="campaign.launch_date", read_only=True, allow_null=True)
    end_date = serializers.DateField(source="campaign.end_date", read_only=True, allow_null=True)
    host_name = serializers.CharField(read_only=True, allow_null=True, default=None)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    invited_by_name = serializers.CharField(
        source="invited_by.full_name", read_only=True, allow_null=True, default=None
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        help_text="A company in the tracker. Null, for the host, on an invitation by e-mail until it is accepted.",
    )
    company_name = serializers.CharField(
        write_only=True,
        required=False,
        max_length=INVITED_NAME_MAX_CHARS,
        validators=[validate_single_line],
        help_text="Or: a company new to the tracker…",
    )
    contact_name = serializers.CharField(
        write_only=True,
        required=False,
        max_length=INVITED_NAME_MAX_CHARS,
        validators=[validate_single_line],
        help_text="…its contact…",
    )
    contact_email = serializers.EmailField(
        write_only=True,
        required=False,
        max_length=CONTACT_EMAIL_MAX_CHARS,
        help_text="…and the contact's e-mail. The answer is the same whether or not the address or the company is "
        "in the tracker already.",
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "campaign_kind",
            "launch_date",
            "end_date",
            "host_name",
            "organization",
            "organization_name",
            "message",
            "status",
            "status_label",
            "invited_by_name",
            "created_at",
            "answered_at",
            "reason",
            "company_name",
            "contact_name",
            "contact_email",
        ]
        read_only_fields = ["status", "answered_at", "reason"]
        validators = []  # one pending invitation per company: the service says so in words, with the field named

    def scoped_choices(self, field_name, model, user):
        if field_name == "organization":
            return Organization.objects.selectable_as_partner(user)
        return super().scoped_choices(field_name, model, user)

    def validate(self, data):
        new_company = [data.get(name) for name in ("company_name", "contact_name", "contact_email")]
        if bool(data.get("organization")) == any(new_company):
            raise serializers.ValidationError(
                "Invite either a company in the tracker (organization) or a new one (company_name, contact_name, "
                "contact_email)."
            )
        if any(new_company) and not all(new_company):
            raise serializers.ValidationError("A new company needs its name, a contact's name and their e-mail.")
        user = self.context["request"].user
        if not may(user, data["campaign"], CHANGE):
            raise PermissionDenied(refusal(Invitation, ADD))  # the host invites
        by_name = bool(data.get("organization"))
        if not by_name:
            invitation_services.ensure_may_invite_new_company(user, data["campaign"])
        invitation_services.ensure_within_invitation_limits(user=user, new_company=not by_name)
        if by_name:
            invitation_services.ensure_can_be_invited(data["campaign"], data["organization"])
        return data

    def to_representation(self, invitation):
        """An invitation by e-mail shows the host the name it gave, and no company, until it is accepted: the
        address may belong to a company in the tracker, which the host learns only once that company consents."""
        data = super().to_representation(invitation)
        viewer = organization_id_of(self.context["request"].user)
        if (
            invitation.is_by_email
            and viewer != invitation.organization_id
            and not self.context["request"].user.is_superuser
        ):
            data["organization_name"] = invitation.invitee_name
            if invitation.status != Invitation.Status.ACCEPTED:
                data["organization"] = None
        return data

    def create(self, validated_data):
        invitation = self._invite(self.context["request"].user, validated_data)
        return selectors.invitations_with_host(Invitation.objects.filter(pk=invitation.pk)).get()

    def _invite(self, user, validated_data) -> Invitation:
        if validated_data.get("organization"):
            return invitation_services.invitation_create(
                user=user,
                campaign=validated_data["campaign"],
                organization=validated_data["organization"],
                message=validated_data.get("message", ""),
            )
        return invitation_services.invitation_create_for_new_company(
            user=user,
            campaign=validated_data["campaign"],
            company_name=validated_data["company_name"],
            contact_name=validated_data["contact_name"],
            contact_email=validated_data["contact_email"],
            message=validated_data.get("message", ""),
        )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class InvitationFilterSet(ScopedFilterSet):
    organization = django_filters.ModelChoiceFilter(queryset=Organization.objects.all(), method="to_company")

    class Meta:
        model = Invitation
        fields = ["campaign", "organization", "status"]

    def to_company(self, queryset, name, organization):
        return queryset.to_company_as_seen_by(organization, self.request.user)


class InvitationViewSet(ScopedModelViewSet):
    """Invitations to join a campaign. The host invites and withdraws; the invited company accepts or declines.
    Until it accepts, the invited company sees only the invitation, and the host only its directory name."""

    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    action_rules = {"accept": "answer", "decline": "answer", "withdraw": CHANGE}
    filterset_class = InvitationFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self):
        return selectors.invitations_with_host(
            Invitation.objects.select_related("campaign", "organization", "invited_by")
        )

    def _answer(self, invitation) -> Response:
        return Response(self.get_serializer(self.base_queryset().get(pk=invitation.pk)).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def accept(self, request, pk=None):
        """Your company accepts: it becomes a partner of the campaign and you join its team."""
        invitation = self.get_object()
        invitation_services.invitation_accept(invitation=invitation, user=request.user)
        return self._answer(invitation)

    @extend_schema(request=DeclineSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def decline(self, request, pk=None):
        invitation = self.get_object()
        payload = DeclineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation_services.invitation_decline(invitation=invitation, user=request.user, **payload.validated_data)
        return self._answer(invitation)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def withdraw(self, request, pk=None):
        """The host withdraws an invitation nobody answered yet."""
        invitation = self.get_object()
        invitation_services.invitation_withdraw(invitation=invitation, user=request.user)
        return self._answer(invitation)
