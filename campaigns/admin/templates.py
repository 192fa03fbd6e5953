from django.contrib import admin

from campaigns.models import CampaignTemplate, Metric, TemplateDeliverable
from partners.scoping.admin import ScopedModelAdmin, ScopedTabularInline


class TemplateDeliverableInline(ScopedTabularInline):
    model = TemplateDeliverable
    fields = [
        "title",
        "type",
        "channel",
        "offset_business_days",
        "needs_signoff",
        "needs_legal_review",
        "accountable_role",
        "responsible_role",
    ]


@admin.register(CampaignTemplate)
class CampaignTemplateAdmin(ScopedModelAdmin):
    """Plans to start a campaign from: the shipped one per kind, and your company's own (saved from a campaign
    with "Save the plan as a template" on its home page)."""

    list_display = ["name", "kind", "organization", "deliverable_count", "has_weekly_meeting"]
    list_filter = ["kind"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    fields = [
        "name",
        "kind",
        "organization",
        "description",
        "kpi_metrics",
        "has_weekly_meeting",
        "meeting_weekday",
        "meeting_time",
        "meeting_duration_minutes",
    ]
    filter_horizontal = ["kpi_metrics"]
    inlines = [TemplateDeliverableInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliverables")

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request)
        # A template is for any campaign: only the catalog's built-in metrics.
        return queryset.filter(campaign__isnull=True) if db_field.related_model is Metric else queryset

    @admin.display(description="Deliverables")
    def deliverable_count(self, template: CampaignTemplate) -> int:
        return len(template.deliverables.all())
