from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from campaigns.models import BudgetLine, CampaignBudget, ExchangeRate
from campaigns.services import budget as services
from partners.scoping.admin import ScopedModelAdmin, ScopedTabularInline
from partners.services import person_of


@admin.register(BudgetLine)
class BudgetLineAdmin(ScopedModelAdmin):
    """Your company's budget lines, and partners' shared ones; approved with the list's action by your company's
    budget owner."""

    list_display = ["what", "campaign", "organization", "planned", "committed", "actual", "status", "is_shared"]
    list_filter = ["status", "is_shared", "campaign", "organization"]
    list_select_related = ["campaign", "organization", "approved_by"]
    search_fields = ["what"]
    fields = [
        "campaign",
        "organization",
        "what",
        "currency",
        "planned_amount",
        "committed_amount",
        "actual_amount",
        "receipt",
        "receipt_download",
        "is_shared",
        "approval",
    ]
    readonly_fields = ["receipt_download", "approval"]
    actions = ["approve"]

    @admin.display(description="Planned", ordering="planned_amount")
    def planned(self, line: BudgetLine) -> str:
        return f"{line.planned_amount:,.2f} {line.currency}"

    @admin.display(description="Committed", ordering="committed_amount")
    def committed(self, line: BudgetLine) -> str:
        return f"{line.committed_amount:,.2f} {line.currency}"

    @admin.display(description="Actual spend", ordering="actual_amount")
    def actual(self, line: BudgetLine) -> str:
        return f"{line.actual_amount:,.2f} {line.currency}"

    @admin.display(description="Approval")
    def approval(self, line: BudgetLine) -> str:
        return line.approval_text if line.pk else "—"

    @admin.display(description="Receipt file")
    def receipt_download(self, line: BudgetLine) -> str:
        if not line.pk or not line.receipt:
            return "—"
        return format_html('<a href="{}">Download</a>', reverse("campaigns:budget-receipt", args=[line.pk]))

    @admin.action(description="Approve the selected lines (as your company's budget owner on the campaign)")
    def approve(self, request, queryset):
        approved = 0
        for line in queryset:
            try:
                services.budget_line_approve(line=line, person=person_of(request.user))
            except (PermissionDenied, ValidationError) as refused:
                text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
                messages.error(request, f"“{line.what}”: {text}")
            else:
                approved += 1
        if approved:
            self.message_user(request, f"{approved} budget line(s) approved.", messages.SUCCESS)


class ExchangeRateInline(ScopedTabularInline):
    model = ExchangeRate
    extra = 1
    fields = ["currency", "rate"]


@admin.register(CampaignBudget)
class CampaignBudgetAdmin(ScopedModelAdmin):
    """The reporting currency of a campaign's budget, and the rates into it (typed, never looked up)."""

    list_display = ["campaign", "reporting_currency"]
    list_select_related = ["campaign"]
    fields = ["campaign", "reporting_currency"]
    inlines = [ExchangeRateInline]
