from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html

from campaigns.admin.flags import CampaignFlagColumns, FlagCodeFilter
from campaigns.selectors import core as selectors
from campaigns.services import core as services
from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from partners.models import Organization
from partners.scoping.admin import ScopedModelAdmin, ScopedTabularInline


def _campaign_being_edited(request) -> Campaign | None:
    return getattr(request, "campaign_being_edited", None)


class CampaignChoicesMixin:
    """Parties and members offered in a form come from the campaign being edited, not from every campaign."""

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request)
        campaign = _campaign_being_edited(request)
        if campaign is not None and db_field.related_model in (Party, Member):
            queryset = queryset.filter(campaign=campaign)
        return queryset


class PartyInline(CampaignChoicesMixin, ScopedTabularInline):
    model = Party
    fields = ["organization", "role", "point_of_contact"]

    def scoped_choices(self, db_field, request):
        if db_field.name == "organization":
            return Organization.objects.selectable_as_partner(request.user)
        return super().scoped_choices(db_field, request)


class MemberInline(ScopedTabularInline):
    model = Member
    fields = ["person", *Member.ROLE_FIELDS]
    autocomplete_fields = ["person"]


class DeliverableInline(CampaignChoicesMixin, ScopedTabularInline):
    model = Deliverable
    fields = ["title", "type", "channel_party", "due_date", "status", "needs_signoff", "needs_legal_review"]
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(CampaignFlagColumns, ScopedModelAdmin):
    list_display = [
        "name", "kind", "status", "companies", "kickoff_date", "launch_date", "open_flags", "worst_severity"
    ]
    list_filter = ["status", "kind", "parties__organization", FlagCodeFilter]
    search_fields = ["name"]
    date_hierarchy = "launch_date"
    readonly_fields = ["raci_matrix_link", "created_by", "open_flag_list"]
    fields = [
        "name", "kind", "status", "kickoff_date", "launch_date", "end_date", "goals", "raci_matrix_link", "open_flag_list"
    ]
    inlines = [PartyInline, MemberInline, DeliverableInline]

    def get_queryset(self, request):
        return self.flag_annotated(super().get_queryset(request).prefetch_related(selectors.parties_prefetch()))

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.campaign_being_edited = obj
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="Companies")
    def companies(self, campaign: Campaign) -> str:
        return ", ".join(str(party) for party in campaign.parties.all())

    @admin.display(description="RACI matrix")
    def raci_matrix_link(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return "Available once the campaign is saved."
        url = reverse("admin:campaigns_campaign_raci", args=[campaign.pk])
        return format_html('<a href="{}">Open the RACI matrix</a>', url)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.campaign_create(user=request.user, campaign=obj)

    def get_urls(self):
        return [
            path("<path:object_id>/raci/", self.admin_site.admin_view(self.raci_matrix_view), name="campaigns_campaign_raci"),
            *super().get_urls(),
        ]

    def raci_matrix_view(self, request, object_id):
        self._scoped_object_or_404(request, object_id)
        campaign = self.get_queryset(request).get(pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": f"RACI matrix: {campaign}",
            "matrix": selectors.raci_matrix(campaign=campaign),
        }
        return render(request, "admin/campaigns/campaign/raci_matrix.html", context)


class RaciFormSet(forms.BaseInlineFormSet):
    """Gives a readable error before the database constraint would refuse a second Accountable."""

    def clean(self):
        super().clean()
        kept = [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        accountables = sum(1 for data in kept if data.get("role") == RaciAssignment.Role.ACCOUNTABLE)
        if accountables > 1:
            raise ValidationError(f"A deliverable has exactly one Accountable; {accountables} are marked.")
        if self.instance.pk:
            self.instance.ensure_keeps_a_responsible(data.get("role") for data in kept)


class RaciInline(CampaignChoicesMixin, ScopedTabularInline):
    model = RaciAssignment
    formset = RaciFormSet
    fields = ["member", "role"]
    verbose_name_plural = "RACI"


@admin.register(Deliverable)
class DeliverableAdmin(CampaignChoicesMixin, ScopedModelAdmin):
    list_display = ["title", "campaign", "type", "status", "due_date", "accountable", "channel_party"]
    list_filter = ["status", "type", "campaign"]
    search_fields = ["title", "campaign__name"]
    autocomplete_fields = ["campaign"]
    inlines = [RaciInline]

    def get_queryset(self, request):
        return selectors.with_list_columns(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.campaign_being_edited = obj.campaign if obj else None
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="Accountable", ordering="accountable_name")
    def accountable(self, deliverable: Deliverable) -> str:
        return deliverable.accountable_name or "— missing —"


@admin.register(Party)
class PartyAdmin(ScopedModelAdmin):
    list_display = ["organization", "campaign", "role", "point_of_contact"]
    list_filter = ["role", "campaign"]
    list_select_related = ["organization", "campaign", "point_of_contact__organization"]
    search_fields = ["organization__name", "campaign__name"]

    def has_add_permission(self, request):
        return False  # parties are added on their campaign's page


@admin.register(Member)
class MemberAdmin(ScopedModelAdmin):
    list_display = ["person", "campaign", *Member.ROLE_FIELDS]
    list_filter = ["campaign", *Member.ROLE_FIELDS]
    list_select_related = ["person__organization", "campaign"]
    search_fields = ["person__full_name", "campaign__name"]

    def has_add_permission(self, request):
        return False  # members are added on their campaign's page


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(ScopedModelAdmin):
    list_display = ["deliverable", "role", "member"]
    list_filter = ["role", "deliverable__campaign"]
    list_select_related = ["deliverable", "member__person__organization"]

    def has_add_permission(self, request):
        return False  # assignments are made on their deliverable's page
