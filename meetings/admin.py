import datetime
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from campaigns.admin.comments import CommentThreadMixin
from campaigns.models import Campaign, Deliverable, Member
from campaigns.services import core as campaign_services
from meetings import log_page, selectors, services, views
from meetings import recurrence as rules
from meetings.agenda import meeting_agenda
from meetings.models import ActionItem, Attendance, CalendarToken, Decision, Meeting, MeetingSeries
from meetings.models.log import made_elsewhere
from partners.scoping import CHANGE, ensure_may, may, organization_id_of, refusal_to, time_zone_of
from partners.scoping.admin import FILTER_CHOICES_SHOWN, FILTER_ROWS_READ, ScopedModelAdmin, ScopedTabularInline
from utilities.validation import save_validated


class RelatedValuesFilter(admin.SimpleListFilter):
    """A filter by a related row (a series, an owner), its choices read in one query from the first
    FILTER_ROWS_READ rows of the list: at most FILTER_CHOICES_SHOWN of them plus the chosen one. Listing all
    100,000 series a hub sees took 12 s; even a DISTINCT of every owner of a hub's action items took 700 ms."""

    id_path = ""
    label_paths: tuple[str, ...] = ()

    def lookups(self, request, model_admin):
        listed = model_admin.get_queryset(request)
        first_rows = listed.model._default_manager.filter(pk__in=listed.values("pk")[:FILTER_ROWS_READ])
        shown = list(self._choices(first_rows)[: FILTER_CHOICES_SHOWN + 1])
        if len(shown) > FILTER_CHOICES_SHOWN:
            shown, self.title = shown[:FILTER_CHOICES_SHOWN], f"{self.title} (the first {FILTER_CHOICES_SHOWN})"
        chosen = self.value()
        if chosen and chosen.isdigit() and all(str(row[0]) != chosen for row in shown):
            shown += list(self._choices(listed.filter(**{self.id_path: chosen})))
        return [(row_id, " — ".join(labels)) for row_id, *labels in shown]

    def _choices(self, rows):
        return rows.order_by(*self.label_paths).values_list(self.id_path, *self.label_paths).distinct()

    def queryset(self, request, queryset):
        return queryset.filter(**{self.id_path: self.value()}) if self.value() else queryset


class CampaignOfObjectMixin:
    """Members and deliverables offered in a form come from the campaign of the object being edited."""

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request)
        campaign_id = getattr(request, "meetings_campaign_id", None)
        if db_field.related_model in (Member, Deliverable):
            queryset = queryset.filter(campaign_id=campaign_id)
        if db_field.related_model is Member:
            queryset = queryset.select_related("person__organization")
        return queryset


class CampaignChosenFirstMixin:
    """An add page whose choices come from one campaign's team asks for the campaign first (?campaign=)."""

    choose_campaign_because = ""

    def _campaign_id(self, request, obj) -> int | None:
        if obj is not None:
            return obj.campaign_id
        chosen = request.POST.get("campaign") or request.GET.get("campaign")
        return (
            Campaign.objects.for_user(request.user).filter(pk=chosen).values_list("pk", flat=True).first()
            if (chosen and chosen.isdigit())
            else None
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.meetings_campaign_id = self._campaign_id(request, obj)
        return super().get_form(request, obj, change, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET" and self._campaign_id(request, None) is None:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Which campaign is the {self.model._meta.verbose_name} for?",
                "why": self.choose_campaign_because,
                "campaigns": Campaign.objects.for_user(request.user).open().order_by("name"),
            }
            return render(request, "admin/meetings/choose_campaign.html", context)
        return super().add_view(request, form_url, extra_context)


# --- Series -----------------------------------------------------------------------------------------------------


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(CampaignChosenFirstMixin, CampaignOfObjectMixin, ScopedModelAdmin):
    list_display = ["title", "campaign", "schedule", "facilitator", "next_meeting", "last_start"]
    list_filter = ["campaign"]
    list_select_related = ["campaign", "facilitator__person__organization"]
    search_fields = ["title", "campaign__name"]
    filter_horizontal = ["default_attendees"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        "campaign",
        "title",
        "first_date",
        "start_time",
        "time_zone",
        "duration_minutes",
        "recurrence",
        "facilitator",
        "video_link",
        "default_attendees",
        "meetings_link",
    ]
    readonly_fields = ["meetings_link"]
    actions = ["end_after_today"]
    choose_campaign_because = "The facilitator and the invited people come from the campaign's team."

    def get_queryset(self, request):
        upcoming = Meeting.objects.filter(
            series=OuterRef("pk"), starts_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED
        ).order_by("starts_at")
        return super().get_queryset(request).annotate(next_start=Subquery(upcoming.values("starts_at")[:1]))

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "campaign"] if obj else readonly

    def get_changeform_initial_data(self, request):
        initial = {"time_zone": time_zone_of(request.user) or "UTC", "start_time": datetime.time(10, 0)}
        return {**initial, **super().get_changeform_initial_data(request)}

    @admin.display(description="Schedule")
    def schedule(self, series: MeetingSeries) -> str:
        return f"{rules.describe(series.recurrence, series.zone)}, {series.start_time:%H:%M} {series.time_zone}"

    @admin.display(description="Next meeting", ordering="next_start")
    def next_meeting(self, series: MeetingSeries):
        return series.next_start or "—"

    @admin.display(description="Meetings")
    def meetings_link(self, series: MeetingSeries) -> str:
        if not series.pk:
            return "Meetings are scheduled when the series is saved."
        url = reverse("admin:meetings_meeting_changelist") + f"?series={series.pk}"
        return format_html('<a href="{}">Open the meetings of this series</a>', url)

    def save_model(self, request, obj, form, change):
        attendees = form.cleaned_data.get("default_attendees", [])
        if change:
            services.series_update(series=obj, default_attendees=attendees, user=request.user)
        else:
            services.series_create(series=obj, default_attendees=attendees, user=request.user)

    def save_related(self, request, form, formsets, change):
        # Default attendees were set by the service (which also invites them to upcoming meetings).
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    @admin.action(description="End the selected series after today (later meetings stop; past ones stay)")
    def end_after_today(self, request, queryset):
        ended = 0
        for series in queryset:
            try:
                services.series_end(
                    series=series, last_date=timezone.now().astimezone(series.zone).date(), user=request.user
                )
                ended += 1
            except ValidationError as error:
                self.message_user(request, f"{series}: {' '.join(error.messages)}", messages.ERROR)
        if ended:
            self.message_user(request, f"{ended} series ended.", messages.SUCCESS)


# --- Meetings and their log ---------------------------------------------------------------------------------------


class AttendanceFormSet(forms.BaseInlineFormSet):
    """Logging a meeting that has taken place means saying, for each person, present, absent or excused."""

    def clean(self):
        super().clean()
        meeting = self.instance
        if meeting.status == Meeting.Status.CANCELLED or meeting.starts_at > timezone.now():
            return
        unrecorded = [
            form.cleaned_data["member"].person.full_name
            for form in self.forms
            if form.cleaned_data.get("member")
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("status") == Attendance.Status.EXPECTED
        ]
        if unrecorded:
            raise ValidationError(
                f"Record whether each person was present, absent or excused: {', '.join(unrecorded)}."
            )


class AttendanceForm(forms.ModelForm):
    """Once a meeting has started, an invited person not yet recorded shows as present: the facilitator
    clicks only for those who were absent or excused, and saving records everyone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = getattr(self.instance, "meeting", None) if self.instance.meeting_id else None
        self.defaults_to_present = (
            self.instance.pk is not None
            and self.instance.status == Attendance.Status.EXPECTED
            and meeting is not None
            and meeting.starts_at <= timezone.now()
        )
        if self.defaults_to_present:
            self.initial["status"] = Attendance.Status.PRESENT

    @property
    def changed_data(self):
        changed = super().changed_data
        # Shown as present but stored as invited: saving the page records it.
        return [*changed, "status"] if self.defaults_to_present and "status" not in changed else changed


class AttendanceInline(CampaignOfObjectMixin, ScopedTabularInline):
    model = Attendance
    form = AttendanceForm
    formset = AttendanceFormSet
    fields = ["member", "status"]
    verbose_name_plural = "Attendance (invited from the series; add guests from the team)"


class DecisionForm(forms.ModelForm):
    """A decision typed in a meeting is made there, unless the facilitator raises it as pending. Recording one as
    made is its company's word: a decider of another company is refused here, in words, before the rules refuse
    the save (`services.decision_record`)."""

    user = None  # the logged-in user, set by the admin that makes the form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            self.fields["status"].required = False
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] in ("", *Decision.RECORDED_AS)
            ]

    def clean_status(self):
        return self.cleaned_data.get("status") or Decision.Status.MADE

    def clean(self):
        cleaned = super().clean()
        decider = cleaned.get("decided_by")
        if (
            self.instance.pk is None
            and cleaned.get("status") == Decision.Status.MADE
            and decider is not None
            and self.user is not None
            and not self.user.is_superuser
        ):
            refused = made_elsewhere(decider, organization_id_of(self.user))
            if refused:
                self.add_error("status", refused)
        return cleaned


class DecisionFormSet(forms.BaseInlineFormSet):
    """New decisions of a meeting are recorded through the service, which refuses a made one of another company."""

    user = None  # set by the scoped inline (`RowAuthorityFormSet`)

    def save_new(self, form, commit=True):
        decision = form.save(commit=False)
        return services.decision_record(decision=decision, user=self.user) if commit else decision


class DecisionInline(CampaignOfObjectMixin, ScopedTabularInline):
    model = Decision
    form = DecisionForm
    formset = DecisionFormSet
    fields = ["text", "decided_by", "status", "needed_by", "state"]
    readonly_fields = ["state"]
    verbose_name_plural = (
        "Decisions (made here by your company, or raised as pending for a decision maker; a made decision is "
        "superseded or withdrawn from its own page)"
    )
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("superseded_by", "withdrawn_by")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        if obj is not None:
            # A new decision is the logging person's unless they say whose (one dropdown less per row).
            you = Member.objects.filter(campaign_id=obj.series.campaign_id, person__user=request.user).first()
            formset.form.base_fields["decided_by"].initial = you.pk if you else None
        return formset

    @admin.display(description="State")
    def state(self, decision: Decision) -> str:
        return decision.state if decision.pk else ""


class ActionItemInline(CampaignOfObjectMixin, ScopedTabularInline):
    model = ActionItem
    fields = ["title", "owner", "due_date", "status", "deliverable"]


class MeetingStatusFilter(admin.SimpleListFilter):
    title = "log"
    parameter_name = "log"

    def lookups(self, request, model_admin):
        return [("to_log", "Took place, not logged yet"), ("upcoming", "Upcoming")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "to_log":
            return queryset.filter(status=Meeting.Status.SCHEDULED, starts_at__lte=now)
        if self.value() == "upcoming":
            return queryset.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now)
        return queryset


class MeetingWeekFilter(admin.SimpleListFilter):
    """Weeks in the reader's time zone, from Monday. It replaces a date hierarchy, whose year links were worked out
    from every meeting the user sees on each visit (half a second for a hub at 100,000 campaigns)."""

    title = "week"
    parameter_name = "week"
    WEEKS = {"last": ("Last week", -1), "this": ("This week", 0), "next": ("Next week", 1)}

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.WEEKS.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.WEEKS:
            return queryset
        today = timezone.localdate()
        this_monday = today - datetime.timedelta(days=today.weekday())
        monday = this_monday + datetime.timedelta(weeks=self.WEEKS[self.value()][1])
        start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min))
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)


class SeriesFilter(RelatedValuesFilter):
    title = "series"
    parameter_name = "series"
    id_path = "series_id"
    label_paths = ("series__campaign__name", "series__title")


@admin.register(Meeting)
class MeetingAdmin(CommentThreadMixin, CampaignOfObjectMixin, ScopedModelAdmin):
    list_display = ["starts_at", "series_title", "campaign", "status", "attendance_summary", "is_rescheduled"]
    list_filter = [MeetingWeekFilter, MeetingStatusFilter, "status", "series__campaign", SeriesFilter]
    search_fields = ["series__title", "series__campaign__name", "notes"]
    fields = [
        "series",
        "local_time",
        "starts_at",
        "ends_at",
        "status",
        "prepared_agenda",
        "agenda",
        "notes",
        "logged",
        "download",
        "discussion",
    ]
    readonly_fields = ["series", "local_time", "status", "prepared_agenda", "logged", "download"]
    inlines = [AttendanceInline, DecisionInline, ActionItemInline]
    actions = ["cancel_meetings"]
    row_actions = {"log": CHANGE}

    def get_queryset(self, request):
        return selectors.with_meeting_columns(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "starts_at", "ends_at"] if obj is not None and obj.is_logged else readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.meetings_campaign_id = obj.series.campaign_id if obj else None
        return super().get_form(request, obj, change, **kwargs)

    def has_add_permission(self, request):
        return False  # meetings come from their series

    def has_delete_permission(self, request, obj=None):
        return False  # cancel a meeting instead; a log is never lost

    @admin.display(description="Series", ordering="series__title")
    def series_title(self, meeting: Meeting) -> str:
        return meeting.series.title

    @admin.display(description="Campaign", ordering="series__campaign__name")
    def campaign(self, meeting: Meeting) -> str:
        return str(meeting.series.campaign)

    @admin.display(description="Present")
    def attendance_summary(self, meeting: Meeting) -> str:
        return f"{meeting.present_count} of {meeting.invited_count}" if meeting.is_logged else "—"

    @admin.display(description="Series' local time")
    def local_time(self, meeting: Meeting) -> str:
        return f"{meeting.local_start:%a %d %b %Y %H:%M} ({meeting.series.time_zone})"

    @admin.display(description="Logged")
    def logged(self, meeting: Meeting) -> str:
        if not meeting.logged_at:
            return "Not yet. Saving this page after the meeting has started records it as held."
        return f"{timezone.localtime(meeting.logged_at):%d %b %Y %H:%M} by {meeting.logged_by or 'unknown'}"

    @admin.display(description="Agenda from the campaign")
    def prepared_agenda(self, meeting: Meeting) -> str:
        link = format_html(
            '<p><a class="button" href="{}">Open the agenda</a> to tick items done and move deliverables on. '
            "Your own items go in the box below, one per line.</p>",
            reverse("admin:meetings_meeting_agenda", args=[meeting.pk]),
        )
        context = {"agenda": meeting_agenda(meeting), "today": timezone.localdate(), "actions": False}
        return link + render_to_string("meetings/agenda.html", context)

    @admin.display(description="Calendar")
    def download(self, meeting: Meeting) -> str:
        url = reverse("admin:meetings_meeting_ics", args=[meeting.pk])
        return format_html('<a href="{}">Download .ics</a>', url)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if {"starts_at", "ends_at"} & set(form.changed_data):
            services.meeting_reschedule(meeting=obj, starts_at=obj.starts_at, ends_at=obj.ends_at, user=request.user)
        else:
            save_validated(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        meeting = form.instance
        if meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at <= timezone.now():
            services.meeting_mark_held(meeting=meeting, user=request.user)
            self.message_user(request, "The meeting is logged as held.", messages.SUCCESS)

    @admin.action(description="Cancel the selected meetings (logged ones are kept as they are)")
    def cancel_meetings(self, request, queryset):
        cancelled = 0
        for meeting in queryset.filter(status=Meeting.Status.SCHEDULED):
            services.meeting_cancel(meeting=meeting, user=request.user)
            cancelled += 1
        self.message_user(request, f"{cancelled} meeting(s) cancelled.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/ics/", view(self.ics_view), name="meetings_meeting_ics"),
            path("<path:object_id>/agenda/", view(self.agenda_view), name="meetings_meeting_agenda"),
            path("<path:object_id>/log/", view(self.log_view), name="meetings_meeting_log"),
            path(
                "<path:object_id>/deliverable-status/",
                view(self.deliverable_status_view),
                name="meetings_meeting_deliverable_status",
            ),
            *super().get_urls(),
        ]

    def agenda_view(self, request, object_id):
        """What this meeting should look at, built from the campaign; items are ticked off right here."""
        self._scoped_object_or_404(request, object_id)
        meeting = Meeting.objects.select_related("series__campaign").get(pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Agenda: {meeting.series.title}",
            "meeting": meeting,
            "agenda": meeting_agenda(meeting),
            "today": timezone.localdate(),
            "zone": time_zone_of(request.user) or meeting.series.time_zone,
            "statuses": Deliverable.Status.choices,
        }
        return render(request, "admin/meetings/meeting/agenda.html", context)

    def log_view(self, request, object_id):
        """Run and log the meeting on one page, in one save (`meetings.log_page`)."""
        meeting = self.row_for_action(request, object_id, CHANGE)
        page = log_page.log_page_of(meeting, request.user)
        if request.method == "POST":
            said = log_page.save_log(page, request.POST, request.user)
            if said:
                messages.success(request, said)
                return redirect("admin:meetings_meeting_log", meeting.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": page.meeting,
            "title": page.meeting.series.title,
            **log_page.page_context(page),
        }
        return render(request, "admin/meetings/meeting/log.html", context)

    def deliverable_status_view(self, request, object_id):
        """Move a deliverable on from the agenda (the deliverable's own rules and authority apply)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._scoped_object_or_404(request, object_id)
        meeting = Meeting.objects.select_related("series").get(pk=object_id)
        deliverable = Deliverable.objects.for_user(request.user).filter(campaign_id=meeting.series.campaign_id)
        deliverable = get_object_or_404(deliverable, pk=request.POST.get("deliverable") or 0)
        status = request.POST.get("status", "")
        try:
            campaign_services.deliverable_set_status(deliverable=deliverable, status=status, user=request.user)
        except (ValidationError, PermissionDenied) as refused:
            messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        else:
            messages.success(request, f"“{deliverable}” is now {deliverable.get_status_display().lower()}.")
        return redirect("admin:meetings_meeting_agenda", meeting.pk)

    def ics_view(self, request, object_id):
        self._scoped_object_or_404(request, object_id)
        return views.meeting_download(self.get_queryset(request).select_related("series__campaign").get(pk=object_id))


# --- Action items -------------------------------------------------------------------------------------------------


class ActionItemStateFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("open", "Open"), ("mine", "Mine, open")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue(timezone.localdate())
        if self.value() == "open":
            return queryset.open()
        if self.value() == "mine":
            return queryset.open().filter(owner__person__user=request.user)
        return queryset


class OwnerFilter(RelatedValuesFilter):
    title = "owner"
    parameter_name = "person"
    id_path = "owner__person_id"
    label_paths = ("owner__person__full_name",)


@admin.register(ActionItem)
class ActionItemAdmin(CampaignOfObjectMixin, ScopedModelAdmin):
    list_display = ["title", "owner", "campaign", "due_date", "overdue", "status", "meeting"]
    list_editable = ["status"]
    list_filter = [ActionItemStateFilter, "status", "meeting__series__campaign", OwnerFilter]
    search_fields = ["title", "owner__person__full_name"]
    fields = ["meeting", "title", "owner", "due_date", "status", "deliverable"]
    readonly_fields = ["meeting"]

    def get_queryset(self, request):
        return selectors.with_action_item_columns(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.meetings_campaign_id = obj.meeting.series.campaign_id if obj else None
        return super().get_form(request, obj, change, **kwargs)

    def has_add_permission(self, request):
        return False  # action items are agreed at a meeting: add them on its page

    def get_urls(self):
        done = path(
            "<int:object_id>/done/", self.admin_site.admin_view(self.done_view), name="meetings_actionitem_done"
        )
        return [done, *super().get_urls()]

    def done_view(self, request, object_id):
        """One click from "My work" or the meeting page: the item is done, and you are back where you were."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        item = ActionItem.objects.get_for_user(request.user, object_id)
        ensure_may(request.user, item, CHANGE)
        services.action_item_mark_done(item=item, user=request.user)
        messages.success(request, f"“{item.title}” is done.")
        next_url = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
        return redirect(next_url if safe else "admin:index")

    @admin.display(description="Campaign", ordering="meeting__series__campaign__name")
    def campaign(self, item: ActionItem) -> str:
        return str(item.meeting.series.campaign)

    @admin.display(description="Overdue")
    def overdue(self, item: ActionItem) -> str:
        # A word, not a tick: a green tick read as "fine" when it meant "late".
        return (
            mark_safe('<span class="cockpit-overdue">overdue</span>') if item.is_overdue(timezone.localdate()) else ""
        )


# --- Decision log -------------------------------------------------------------------------------------------------


class DecisionStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("in_force", "In force (made)"), ("pending", "Pending"), ("mine", "Pending, mine to decide")]

    def queryset(self, request, queryset):
        if self.value() == "in_force":
            return queryset.filter(status=Decision.Status.MADE)
        if self.value() == "pending":
            return queryset.pending()
        if self.value() == "mine":
            return queryset.pending().filter(decided_by__person__user=request.user)
        return queryset


class SupersedeForm(forms.Form):
    text = forms.CharField(
        label="What is decided now",
        max_length=settings.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
    )
    decided_by = forms.ModelChoiceField(queryset=Member.objects.none(), label="Decider", empty_label=None)

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        # The new decision is the same company's word: its deciders are that company's people on the team.
        self.fields["decided_by"].queryset = Member.objects.filter(
            campaign_id=decision.campaign_id, person__organization_id=decision.binding_company_id
        ).select_related("person")
        self.fields["decided_by"].initial = decision.decided_by_id


# What each action page says: (title, what happens, its button).
DECISION_ACTIONS = {
    "make": (
        "Record the decision as made",
        "It is recorded as made now, by its decider. The other companies see it in the decision log.",
        "Record as made",
    ),
    "supersede": (
        "Supersede the decision",
        "A made decision is not edited: write what is decided now. The new decision replaces this one, which "
        "stays in the log as “superseded by” it; the campaign's leads are told.",
        "Supersede with this decision",
    ),
    "withdraw": (
        "Withdraw the decision",
        "It stays in the log, marked withdrawn by you, now, and no longer binds anyone; the campaign's leads are told.",
        "Withdraw it",
    ),
}


@admin.register(Decision)
class DecisionAdmin(CommentThreadMixin, CampaignChosenFirstMixin, CampaignOfObjectMixin, ScopedModelAdmin):
    """The campaign's decision log: made in a meeting or outside one, and pending ones with their decider. Each
    binds its decider's company, whose people alone make, amend (while pending), supersede or withdraw it."""

    form = DecisionForm
    list_display = ["text_start", "campaign", "state", "binding_company", "decided_by", "needed_by", "pending_days"]
    list_filter = [DecisionStateFilter, "status", "campaign"]
    search_fields = ["text", "decided_by__person__full_name"]
    fields = [
        "campaign",
        "meeting",
        "text",
        "status",
        "decided_by",
        "binding_company",
        "needed_by",
        "decided_at",
        "supersedes",
        "state",
        "discussion",
    ]
    readonly_fields = ["meeting", "binding_company", "decided_at", "supersedes", "state"]
    change_form_template = "admin/meetings/decision/change_form.html"
    actions = ["mark_made"]
    row_actions = {"make": "make", "supersede": "supersede", "withdraw": "withdraw"}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "campaign",
                "decided_by__person__organization",
                "binding_company",
                "meeting__series",
                "superseded_by",
                "withdrawn_by",
            )
        )

    choose_campaign_because = "The person who decides is a member of the campaign's team."

    def get_changeform_initial_data(self, request):
        return {"status": Decision.Status.PENDING, **super().get_changeform_initial_data(request)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.decision_record(decision=obj, user=request.user)

    @admin.display(description="Decision")
    def text_start(self, decision: Decision) -> str:
        return str(decision)

    @admin.display(description="State", ordering="status")
    def state(self, decision: Decision) -> str:
        return decision.state

    @admin.display(description="Pending for")
    def pending_days(self, decision: Decision) -> str:
        if decision.status != Decision.Status.PENDING:
            return "—"
        return f"{(timezone.now() - decision.created_at).days} day(s)"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        decision = self.get_object(request, unquote(object_id))
        extra = {"decision_actions": self._actions_offered(request, decision)} if decision else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _actions_offered(self, request, decision: Decision) -> dict:
        """The action buttons of a decision's page for this user, or why there are none."""
        if decision.status in (Decision.Status.SUPERSEDED, Decision.Status.WITHDRAWN):
            return {}
        offered = ("make", "withdraw") if decision.status == Decision.Status.PENDING else ("supersede", "withdraw")
        buttons = [
            (reverse(f"admin:meetings_decision_{action}", args=[decision.pk]), DECISION_ACTIONS[action][2])
            for action in offered
            if may(request.user, decision, action)
        ]
        waits = "It waits for" if decision.status == Decision.Status.PENDING else "It is the word of"
        note = f"{waits} {decision.binding_company}: only its people make, amend, supersede or withdraw it."
        return {"buttons": buttons, "note": None if buttons else note}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<path:object_id>/{name}/",
                    view(partial(self.decision_action_view, action=action)),
                    name=f"meetings_decision_{name}",
                )
                for name, action in self.row_actions.items()
            ),
            *super().get_urls(),
        ]

    def decision_action_view(self, request, object_id, action: str):
        """Make, supersede or withdraw one decision: a page that says what will happen, then does it."""
        decision = self.row_for_action(request, object_id, action)
        title, explanation, button = DECISION_ACTIONS[action]
        form = SupersedeForm(request.POST or None, decision=decision) if action == "supersede" else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                done = self._do(action, decision, request.user, form)
            except ValidationError as refused:
                messages.error(request, " ".join(refused.messages))
            else:
                said = {
                    "make": f"“{done}” is recorded as made.",
                    "supersede": f"“{decision}” is superseded by “{done}”.",
                    "withdraw": f"“{done}” is withdrawn.",
                }
                messages.success(request, said[action])
                return redirect("admin:meetings_decision_change", done.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": decision,
            "title": title,
            "explanation": explanation,
            "button": button,
            "decision": decision,
            "form": form,
        }
        return render(request, "admin/meetings/decision/action.html", context)

    @staticmethod
    def _do(action: str, decision: Decision, user, form) -> Decision:
        if action == "make":
            return services.decision_make(decision=decision, user=user)
        if action == "withdraw":
            return services.decision_withdraw(decision=decision, user=user)
        return services.decision_supersede(decision=decision, user=user, **form.cleaned_data)

    @admin.action(description="Mark the selected decisions as made (by their decider, now)")
    def mark_made(self, request, queryset):
        made = 0
        for decision in queryset.pending():
            refused = refusal_to(request.user, decision, "make")
            if refused:
                messages.error(request, f"“{decision}”: {refused}")
                continue
            services.decision_make(decision=decision, user=request.user)
            made += 1
        self.message_user(request, f"{made} decision(s) recorded as made.", messages.SUCCESS)


# --- Calendar subscriptions -------------------------------------------------------------------------------------


@admin.register(CalendarToken)
class CalendarTokenAdmin(ScopedModelAdmin):
    list_display = ["__str__", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["campaign"]
    fields = ["campaign", "secret_hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["secret_hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "campaign"] if obj else readonly

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = services.calendar_token_create(user=request.user, campaign=obj.campaign)
        obj.pk = token.pk
        url = request.build_absolute_uri(reverse("meetings:calendar-feed", args=[secret]))
        self.message_user(
            request,
            format_html(
                "Subscribe to this address in Google Calendar or Outlook (“From URL”). It is shown only now; "
                "keep it private: <code>{}</code>",
                url,
            ),
            messages.SUCCESS,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead, so the address keeps answering 404

    @admin.action(description="Revoke the selected calendar addresses")
    def revoke(self, request, queryset):
        for token in queryset:
            services.calendar_token_revoke(token=token, user=request.user)
        self.message_user(request, "Revoked; those addresses now answer 404.", messages.SUCCESS)
