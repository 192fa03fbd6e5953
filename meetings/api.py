"""API of the meetings app; comarketing/api/router.py registers the viewsets."""

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from campaigns.models import Member
from meetings import recurrence as rules
from meetings import selectors, services, views
from meetings.agenda import meeting_agenda
from meetings.models import ActionItem, Attendance, CalendarToken, Decision, Meeting, MeetingSeries
from meetings.summary import render_notes_summary
from partners.scoping import CHANGE, VIEW, scoped_queryset
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet
from partners.scoping.filters import ScopedFilterSet
from utilities.api import ChangeActionPermissions, WallClockTimeField

# --- Series -----------------------------------------------------------------------------------------------------


class MeetingSeriesSerializer(ScopedModelSerializer):
    schedule = serializers.SerializerMethodField()
    facilitator_name = serializers.CharField(source="facilitator.person.full_name", read_only=True)

    start_time = WallClockTimeField(help_text="Local time in the series' time zone.")

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "campaign",
            "title",
            "first_date",
            "start_time",
            "time_zone",
            "duration_minutes",
            "recurrence",
            "schedule",
            "facilitator",
            "facilitator_name",
            "video_link",
            "default_attendees",
            "last_start",
            "created_at",
            "updated_at",
        ]

    def get_schedule(self, series: MeetingSeries) -> str:
        return f"{rules.describe(series.recurrence, series.zone)}, {series.start_time:%H:%M} {series.time_zone}"

    def create(self, validated_data):
        attendees = validated_data.pop("default_attendees", [])
        series = MeetingSeries(**validated_data)
        return services.series_create(series=series, default_attendees=attendees, user=self.context["request"].user)

    def update(self, instance, validated_data):
        attendees = validated_data.pop("default_attendees", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.series_update(series=instance, default_attendees=attendees, user=self.context["request"].user)


class SeriesEndSerializer(serializers.Serializer):
    last_date = serializers.DateField(help_text="The last day (local) with a meeting.")


class MeetingSeriesViewSet(ScopedModelViewSet):
    queryset = MeetingSeries.objects.all()
    serializer_class = MeetingSeriesSerializer
    action_rules = {"end": CHANGE}
    filterset_fields = ["campaign", "facilitator"]
    search_fields = ["title"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # a series is ended, never deleted

    def base_queryset(self):
        return MeetingSeries.objects.select_related("facilitator__person").prefetch_related("default_attendees")

    @extend_schema(request=SeriesEndSerializer, responses=MeetingSeriesSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def end(self, request, pk=None):
        """End the series after a day: later meetings stop, earlier and logged ones stay."""
        series = self.get_object()
        payload = SeriesEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.series_end(series=series, last_date=payload.validated_data["last_date"], user=request.user)
        return Response(self.get_serializer(self.base_queryset().get(pk=series.pk)).data)


# --- Meetings and their log -------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="member.person.full_name", read_only=True)
    organization_name = serializers.CharField(source="member.person.organization.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "person_name", "organization_name", "status"]


class MeetingSerializer(ScopedModelSerializer):
    campaign = serializers.IntegerField(source="series.campaign_id", read_only=True)
    title = serializers.CharField(source="series.title", read_only=True)
    time_zone = serializers.CharField(source="series.time_zone", read_only=True)
    local_start = serializers.SerializerMethodField()
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "campaign",
            "title",
            "occurrence_date",
            "starts_at",
            "ends_at",
            "local_start",
            "time_zone",
            "status",
            "is_rescheduled",
            "agenda",
            "notes",
            "logged_at",
            "attendance",
        ]
        read_only_fields = ["series", "starts_at", "ends_at", "status", "is_rescheduled", "logged_at"]

    def get_local_start(self, meeting: Meeting) -> str:
        return meeting.local_start.isoformat()


class AttendanceEntrySerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.none())
    status = serializers.ChoiceField(
        choices=[choice for choice in Attendance.Status.choices if choice[0] != "expected"]
    )

    def get_fields(self):
        fields = super().get_fields()
        # Another company's member is answered as a nonexistent one; the model says if they are off the team.
        fields["member"].queryset = scoped_queryset(Member, self.context["request"].user).select_related("person")
        return fields


class MeetingLogSerializer(serializers.Serializer):
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=settings.TEXT_MAX_LENGTH)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=settings.TEXT_MAX_LENGTH)
    attendance = AttendanceEntrySerializer(many=True, required=False)


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, help_text="Defaults to the same duration.")


class MeetingFilterSet(ScopedFilterSet):
    campaign = django_filters.NumberFilter(field_name="series__campaign")

    class Meta:
        model = Meeting
        fields = {"series": ["exact"], "status": ["exact"], "starts_at": ["gte", "lte"]}


class AgendaSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The next meeting's day: deliverables due before it are listed.")
    action_items = serializers.SerializerMethodField()
    deliverables = serializers.SerializerMethodField()
    signoffs = serializers.SerializerMethodField()
    kpis_behind = serializers.SerializerMethodField()
    new_flags = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    free_items = serializers.ListField(child=serializers.CharField())

    def get_action_items(self, agenda) -> list[dict]:
        return [
            {"id": i.pk, "title": i.title, "owner": i.owner.person.full_name, "due_date": i.due_date}
            for i in agenda.action_items
        ]

    def get_deliverables(self, agenda) -> list[dict]:
        return [
            {
                "id": d.pk,
                "title": d.title,
                "due_date": d.due_date,
                "status": d.status,
                "owners": [{"role": a.role, "person": a.member.person.full_name} for a in d.owners],
            }
            for d in agenda.deliverables
        ]

    def get_signoffs(self, agenda) -> list[dict]:
        return [
            {
                "id": r.pk,
                "kind": r.kind,
                "deliverable": r.deliverable.title,
                "reviewer": r.reviewer.full_name,
                "status": r.status,
                "due_date": r.due_date,
            }
            for r in agenda.signoffs
        ]

    def get_kpis_behind(self, agenda) -> list[dict]:
        return [
            {
                "kpi": row.kpi.pk,
                "metric": row.kpi.metric.name,
                "progress_percent": row.progress,
                "elapsed_percent": row.elapsed,
            }
            for row in agenda.kpis_behind
        ]

    def get_new_flags(self, agenda) -> list[dict]:
        return [{"id": f.pk, "title": f.title, "detail": f.detail, "severity": f.severity} for f in agenda.new_flags]

    def get_decisions(self, agenda) -> list[dict]:
        return [
            {"id": d.pk, "text": d.text, "decider": d.decided_by.person.full_name, "needed_by": d.needed_by}
            for d in agenda.decisions
        ]


class MeetingViewSet(ScopedModelViewSet):
    """Meetings come from their series: no create or delete. Log, move or cancel one with the actions."""

    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    action_rules = {
        "log": CHANGE,
        "cancel": CHANGE,
        "reschedule": CHANGE,
        "ics": VIEW,
        "summary": VIEW,
        "agenda": VIEW,
    }
    filterset_class = MeetingFilterSet
    ordering_fields = ["starts_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # cancel a meeting, never delete it

    def base_queryset(self):
        return Meeting.objects.select_related("series").prefetch_related(
            Prefetch("attendance", Attendance.objects.select_related("member__person__organization"))
        )

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method, detail="Meetings are created from their series.")

    def perform_update(self, serializer):
        serializer.instance._history_user = self.request.user
        serializer.save()

    def _answer(self, meeting: Meeting) -> Response:
        return Response(self.get_serializer(self.base_queryset().get(pk=meeting.pk)).data)

    @extend_schema(responses=AgendaSerializer)
    @action(detail=True, methods=["get"])
    def agenda(self, request, pk=None):
        """The agenda built from the campaign: action items carried forward, deliverables due before the next
        meeting, reviews waiting, KPIs behind pace, new flags, decisions waiting and the facilitator's items."""
        meeting = self.get_object()
        return Response(
            AgendaSerializer(meeting_agenda(Meeting.objects.select_related("series__campaign").get(pk=meeting.pk))).data
        )

    @extend_schema(request=MeetingLogSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def log(self, request, pk=None):
        """The facilitator's log: agenda, notes and attendance; marks the meeting held."""
        meeting = self.get_object()
        payload = MeetingLogSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.meeting_log(
            meeting=meeting,
            agenda=data.get("agenda"),
            notes=data.get("notes"),
            attendance={entry["member"]: entry["status"] for entry in data.get("attendance", [])},
            user=request.user,
        )
        return self._answer(meeting)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        services.meeting_cancel(meeting=meeting, user=request.user)
        return self._answer(meeting)

    @extend_schema(request=RescheduleSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def reschedule(self, request, pk=None):
        """Move this one meeting; the move is kept when the series changes."""
        meeting = self.get_object()
        payload = RescheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.meeting_reschedule(meeting=meeting, user=request.user, **payload.validated_data)
        return self._answer(meeting)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def ics(self, request, pk=None):
        """This meeting as an .ics file."""
        return views.meeting_download(self.get_object())

    @extend_schema(
        responses=inline_serializer(
            "NotesSummary",
            {"subject": serializers.CharField(), "text": serializers.CharField(), "html": serializers.CharField()},
        )
    )
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """The notes summary (attendance, decisions, action items), its time in your own time zone."""
        meeting = selectors.meeting_with_log(meeting_id=self.get_object().pk)
        summary = render_notes_summary(meeting, timezone.get_current_timezone_name())
        return Response({"subject": summary.subject, "text": summary.text, "html": summary.html})


# --- Decisions and action items ---------------------------------------------------------------------------------


class DecisionSerializer(ScopedModelSerializer):
    decided_by_name = serializers.CharField(source="decided_by.person.full_name", read_only=True)
    binding_company_name = serializers.CharField(source="binding_company.name", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="The status in words: “Superseded by “…””, “Withdrawn by Maria Keller on 4 Dec 2026”."
    )
    superseded_by = serializers.SerializerMethodField(help_text="The decision that replaced this one, if any.")
    withdrawn_by_name = serializers.CharField(
        source="withdrawn_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "campaign",
            "meeting",
            "text",
            "status",
            "state",
            "decided_by",
            "decided_by_name",
            "binding_company",
            "binding_company_name",
            "needed_by",
            "decided_at",
            "supersedes",
            "superseded_by",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_by_name",
            "created_at",
        ]
        extra_kwargs = {
            "campaign": {"required": False, "help_text": "Taken from the meeting when one is given."},
            "status": {
                "help_text": "“made” (only the decider's company records its decision as made) or “pending” (raised "
                "for a decision maker); later changed only by the make, supersede and withdraw actions."
            },
        }

    def get_superseded_by(self, decision: Decision) -> int | None:
        successor = getattr(decision, "superseded_by", None)
        return successor.pk if successor else None

    def validate(self, data):
        meeting = data.get("meeting")
        if self.instance is None and not data.get("campaign"):
            if meeting is None:
                raise serializers.ValidationError({"campaign": "Give the campaign, or the meeting it was raised in."})
            data["campaign"] = meeting.series.campaign
        return data

    def create(self, validated_data):
        return services.decision_record(decision=Decision(**validated_data), user=self.context["request"].user)


class SupersedeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=settings.TEXT_MAX_LENGTH, help_text="What is decided now.")
    decided_by = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.none(),
        required=False,
        help_text="Who decides it now, of the same company; the earlier decider unless given.",
    )
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.none(), required=False, allow_null=True, help_text="The meeting it was decided in."
    )

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        # Another company's or campaign's row is answered as a nonexistent one or refused by the model's rules.
        fields["decided_by"].queryset = scoped_queryset(Member, user).select_related("person")
        fields["meeting"].queryset = scoped_queryset(Meeting, user)
        return fields


class DecisionViewSet(ScopedModelViewSet):
    """The decision log. Each decision binds its decider's company: any party raises a pending one for a decision
    maker, but only that company records it as made, amends it while pending, supersedes it with a new decision
    or withdraws it. A made decision is never edited or deleted."""

    queryset = Decision.objects.select_related("decided_by__person", "binding_company", "withdrawn_by", "superseded_by")
    serializer_class = DecisionSerializer
    filterset_fields = ["campaign", "meeting", "status", "decided_by", "binding_company"]
    action_rules = {"make": "make", "supersede": "supersede", "withdraw": "withdraw"}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # withdrawn or superseded, never deleted

    def _answer(self, decision: Decision, **kwargs) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data, **kwargs)

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def make(self, request, pk=None):
        """Record a pending decision as made (now, outside a meeting). Only the company it binds makes it."""
        return self._answer(services.decision_make(decision=self.get_object(), user=request.user))

    @extend_schema(request=SupersedeSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def supersede(self, request, pk=None):
        """Replace a made decision with a new one of the same company; answers the new decision (201). The old
        one stays in the log, superseded by it."""
        decision = self.get_object()
        payload = SupersedeSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        successor = services.decision_supersede(decision=decision, user=request.user, **payload.validated_data)
        return self._answer(successor, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def withdraw(self, request, pk=None):
        """Its company takes the decision back (made or pending): it stays in the log, withdrawn, with who and
        when, and the campaign's leads are told."""
        return self._answer(services.decision_withdraw(decision=self.get_object(), user=request.user))


class ActionItemSerializer(ScopedModelSerializer):
    campaign = serializers.IntegerField(source="meeting.series.campaign_id", read_only=True)
    owner_name = serializers.CharField(source="owner.person.full_name", read_only=True)
    owner_person = serializers.IntegerField(source="owner.person_id", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "campaign",
            "title",
            "owner",
            "owner_name",
            "owner_person",
            "due_date",
            "status",
            "is_overdue",
            "deliverable",
            "created_at",
            "updated_at",
        ]

    def get_is_overdue(self, item: ActionItem) -> bool:
        return item.is_overdue(timezone.localdate())


class ActionItemFilterSet(ScopedFilterSet):
    campaign = django_filters.NumberFilter(field_name="meeting__series__campaign")
    person = django_filters.NumberFilter(field_name="owner__person", help_text="Action items owned by this person.")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="Open and past their due date.")
    mine = django_filters.BooleanFilter(method="filter_mine", help_text="Owned by you.")

    class Meta:
        model = ActionItem
        fields = {"meeting": ["exact"], "owner": ["exact"], "status": ["exact"], "due_date": ["gte", "lte"]}

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else _all_but(queryset, overdue)

    def filter_mine(self, queryset, name, value):
        mine = queryset.filter(owner__person__user=self.request.user)
        return mine if value else _all_but(queryset, mine)


def _all_but(queryset, some):
    """`queryset` without the rows of `some` (one of its subsets): NOT EXISTS, which PostgreSQL joins, not NOT IN,
    which it cannot and, once a hub's 300,000 ids outgrow its work_mem, reads again for every row."""
    return queryset.exclude(Exists(some.filter(pk=OuterRef("pk"))))


class ActionItemViewSet(ScopedModelViewSet):
    queryset = ActionItem.objects.all()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilterSet
    search_fields = ["title"]
    ordering_fields = ["due_date", "status", "title"]

    def base_queryset(self):
        return selectors.with_action_item_columns(ActionItem.objects.all())


# --- Calendar subscriptions -------------------------------------------------------------------------------------


class CalendarTokenSerializer(ScopedModelSerializer):
    url = serializers.SerializerMethodField(help_text="The feed address; returned only when it is created.")

    class Meta:
        model = CalendarToken
        fields = ["id", "campaign", "url", "secret_hint", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["secret_hint", "created_at", "last_used_at", "revoked_at"]

    def get_url(self, token: CalendarToken) -> str | None:
        secret = getattr(token, "secret", None)
        if secret is None:
            return None
        return self.context["request"].build_absolute_uri(reverse("meetings:calendar-feed", args=[secret]))

    def create(self, validated_data):
        token, secret = services.calendar_token_create(
            user=self.context["request"].user, campaign=validated_data.get("campaign")
        )
        token.secret = secret
        return token


class CalendarTokenViewSet(ScopedModelViewSet):
    """Your calendar feed addresses: one per campaign, or one for all your meetings (no campaign)."""

    queryset = CalendarToken.objects.select_related("campaign")
    serializer_class = CalendarTokenSerializer
    action_rules = {"revoke": CHANGE}
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=None, responses=CalendarTokenSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangeActionPermissions])
    def revoke(self, request, pk=None):
        """From now on the address answers 404."""
        token = services.calendar_token_revoke(token=self.get_object(), user=request.user)
        return Response(self.get_serializer(token).data)
