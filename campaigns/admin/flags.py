from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from campaigns.admin.comments import CommentThreadMixin
from campaigns.admin.outbox import OutboxAdmin
from campaigns.models import Flag, Reminder, ReminderOptOut
from campaigns.models.flags import severity_rank
from campaigns.outbox import reminders as reminder_services
from campaigns.registries import checks as health
from campaigns.registries import reminder_sources
from campaigns.selectors.flags import campaigns_with_open_flag, with_flag_columns
from campaigns.services import health as health_services
from partners.scoping.admin import ScopedModelAdmin

SEVERITY_BY_RANK = {rank: severity for severity, rank in health.SEVERITY_ORDER.items()}
SEVERITY_COLOURS = {health.CRITICAL: "#ba2121", health.WARNING: "#8a5000", health.INFO: "#417690"}


def severity_badge(severity: str | None) -> str:
    if severity is None:
        return "—"
    return format_html(
        '<strong style="color: {}">{}</strong>', SEVERITY_COLOURS[severity], Flag.Severity(severity).label
    )


class FlagCodeFilter(admin.SimpleListFilter):
    """Campaigns with an open flag of a kind, offered by the check's title (never its code)."""

    title = "open flag"
    parameter_name = "open_flag"

    def lookups(self, request, model_admin):
        return sorted(((code, check.title) for code, check in health.checks.items()), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(pk__in=campaigns_with_open_flag(self.value()))
        return queryset


class FlagKindFilter(FlagCodeFilter):
    """Flags of a kind, offered by the check's title."""

    title = "kind"
    parameter_name = "kind"

    def queryset(self, request, queryset):
        return queryset.filter(code=self.value()) if self.value() else queryset


class CampaignFlagColumns:
    """Flag columns and filter for the campaign list: annotations fetched with the rows, no query per row."""

    def flag_annotated(self, queryset):
        return with_flag_columns(queryset, timezone.localdate())

    @admin.display(description="Open flags", ordering="open_flag_count")
    def open_flags(self, campaign) -> int:
        return campaign.open_flag_count

    @admin.display(description="Worst", ordering="worst_flag_rank")
    def worst_severity(self, campaign) -> str:
        return severity_badge(SEVERITY_BY_RANK.get(campaign.worst_flag_rank))

    @admin.display(description="Open flags")
    def open_flag_list(self, campaign) -> str:
        """The campaign page's open flags (a read-only list, so the page's form stays as it was)."""
        if not campaign.pk:
            return "The health sweep checks the campaign once it is saved."
        flags = Flag.objects.open().filter(campaign=campaign).order_by(severity_rank(), "code", "subject")
        if not flags:
            return "None: the last health sweep found nothing to warn about."
        rows = format_html_join(
            "",
            '<li>{} <a href="{}">{}</a>: {} <small>({}, since {})</small></li>',
            (
                (
                    severity_badge(flag.severity),
                    reverse("admin:campaigns_flag_change", args=[flag.pk]),
                    flag.title,
                    flag.detail,
                    flag.state,
                    date_format(timezone.localtime(flag.opened_at), "j M Y"),
                )
                for flag in flags
            ),
        )
        return format_html('<ul style="margin-left: 0">{}</ul>', rows)


class FlagStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("attention", "Needs attention"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "attention":
            return queryset.needing_attention(timezone.localdate())
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class FlagAttentionForm(forms.ModelForm):
    ACKNOWLEDGE, SNOOZE = "acknowledge", "snooze"
    decision = forms.ChoiceField(
        choices=[("", "—"), (ACKNOWLEDGE, "Acknowledge (we know, stop warning)"), (SNOOZE, "Snooze until the date")],
        required=False,
    )

    class Meta:
        model = Flag
        fields = ["decision", "snoozed_until", "attention_reason"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.SNOOZE and not data.get("snoozed_until"):
            self.add_error("snoozed_until", "Pick the day until which the flag is snoozed.")
        if data.get("decision") and not (data.get("attention_reason") or "").strip():
            self.add_error("attention_reason", "Say why, so your partners understand the decision.")
        return data


@admin.register(Flag)
class FlagAdmin(CommentThreadMixin, ScopedModelAdmin):
    form = FlagAttentionForm
    list_display = [
        "title",
        "campaign",
        "severity_label",
        "detail",
        "state",
        "opened_at",
        "last_seen_at",
        "resolved_at",
    ]
    list_filter = [FlagStateFilter, "severity", FlagKindFilter, "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["title", "detail", "campaign__name"]
    readonly_fields = [
        "campaign",
        "severity",
        "title",
        "detail",
        "opened_at",
        "last_seen_at",
        "resolved_at",
        "acknowledged_at",
        "acknowledged_by",
    ]
    fields = [*readonly_fields, "decision", "snoozed_until", "attention_reason", "discussion"]

    @admin.display(description="Severity", ordering="severity")
    def severity_label(self, flag: Flag) -> str:
        return severity_badge(flag.severity)

    def has_add_permission(self, request):
        return False  # flags are opened by the health sweep

    def has_delete_permission(self, request, obj=None):
        return False  # resolved flags are the campaign's history

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        reason = form.cleaned_data.get("attention_reason", "")
        try:
            if decision == FlagAttentionForm.ACKNOWLEDGE:
                health_services.flag_acknowledge(flag=obj, user=request.user, reason=reason)
            elif decision == FlagAttentionForm.SNOOZE:
                health_services.flag_snooze(
                    flag=obj, user=request.user, until=form.cleaned_data["snoozed_until"], reason=reason
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


class ReminderKindLabel:
    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, row: Reminder | ReminderOptOut) -> str:
        source = reminder_sources.sources.get(row.kind)
        return source.label if source else row.kind


@admin.register(Reminder)
class ReminderAdmin(ReminderKindLabel, OutboxAdmin):
    """Each person sees the reminders addressed to them; the operator sees all, failures first."""

    list_display = ["subject_line", "person", "kind_label", "due_at", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    list_select_related = ["person__organization"]
    search_fields = ["subject_line", "person__full_name", "person__email"]
    readonly_fields = [
        "kind_label",
        "person",
        "campaign",
        "due_at",
        "subject_line",
        "body_text",
        "status",
        "dropped_reason",
        "attempts",
        "last_error",
        "next_attempt_at",
        "enqueued_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields


class ReminderOptOutForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=())
    # A company user opts out for themselves: the admin passes the login instead of showing a person field.
    user = None

    class Meta:
        model = ReminderOptOut
        fields = ["person", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(
            ((kind, source.label) for kind, source in reminder_sources.sources.items()), key=lambda item: item[1]
        )

    def clean(self):
        data = super().clean()
        if "person" not in self.fields:
            self.instance.person = reminder_services.reminder_recipient_of(self.user)
            if ReminderOptOut.objects.filter(person=self.instance.person, kind=data.get("kind")).exists():
                raise ValidationError("You already opted out of this kind of reminder.")
        return data


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(ReminderKindLabel, ScopedModelAdmin):
    """The kinds of reminder a person turned off (every kind is on until they do)."""

    in_index = False
    form = ReminderOptOutForm
    list_display = ["person", "kind_label", "created_at"]
    list_select_related = ["person__organization"]

    def get_fields(self, request, obj=None):
        return ["person", "kind"] if request.user.is_superuser else ["kind"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return False  # an opt-out is added or removed, never edited
