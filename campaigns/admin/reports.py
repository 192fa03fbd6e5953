from django.contrib import admin

from campaigns.models import ResultsReport
from campaigns.pages.home import report_downloads
from partners.scoping.admin import ScopedModelAdmin


@admin.register(ResultsReport)
class ResultsReportAdmin(ScopedModelAdmin):
    """Reports are asked for from the campaign's home page (or by its move to Reporting) and built in the
    background; here they are listed and downloaded."""

    list_display = ["campaign", "created_at", "status", "downloads"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign"]
    fields = ["campaign", "status", "created_at", "built_at", "requested_by", "downloads", "error"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description="Download")
    def downloads(self, report: ResultsReport) -> str:
        return report_downloads(report)
