"""The lead-sharing terms: edited by every party, agreed with the KPIs in the campaign's round."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from campaigns.models import LeadShare, LeadSharingTerms
from campaigns.selectors.leads import tracking_links
from campaigns.services import kpis as kpi_services
from partners.scoping.admin import ScopedModelAdmin, ScopedTabularInline


class LeadShareInline(ScopedTabularInline):
    model = LeadShare
    fields = ["organization", "field"]
    verbose_name_plural = "Which company receives which registrant fields"

    def has_delete_permission(self, request, obj=None):
        # A share agreed in a locked round stays until a new round starts (adding or changing one is refused by
        # the model's validation, under its row).
        locked = obj is not None and kpi_services.kpi_round_current(campaign=obj.campaign).is_locked
        return not locked and super().has_delete_permission(request, obj)


@admin.register(LeadSharingTerms)
class LeadSharingTermsAdmin(ScopedModelAdmin):
    list_display = ["campaign", "first_contact", "follow_up_days", "retention_days", "agreed"]
    list_select_related = ["campaign", "first_contact"]
    search_fields = ["campaign__name"]
    fields = ["campaign", "consent_text", "retention_days", "first_contact", "follow_up_days"]
    inlines = [LeadShareInline]

    def get_readonly_fields(self, request, obj=None):
        return ["campaign", "links"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return [*self.fields, "links"] if obj is not None else self.fields

    @admin.display(description="Each company's tracking link")
    def links(self, terms: LeadSharingTerms) -> str:
        rows = tracking_links(terms.campaign)
        if not rows:
            return "Give the registration form (or landing page) its link to get each company's tracking link."
        return format_html_join(
            mark_safe("<br>"), "{}: <code>{}</code>", ((row.organization_name, row.url) for row in rows)
        )

    @admin.display(description="Agreed by every company", boolean=True)
    def agreed(self, terms: LeadSharingTerms) -> bool:
        return terms.campaign.kpi_rounds.filter(locked_at__isnull=False, agreed_lead_terms__isnull=False).exists()

    def save_model(self, request, obj, form, change):
        kpi_services.agreed_terms_save(row=obj, campaign=obj.campaign)
        super().save_model(request, obj, form, change)  # nothing left to write; checks the rule on the row

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            kpi_services.agreements_withdraw(campaign=form.instance.campaign)
