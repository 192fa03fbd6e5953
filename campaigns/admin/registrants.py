"""Registrant imports, counted per source company; imported through the API (`POST /api/registrant-imports/`)."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from campaigns.models import RegistrantImport
from partners.scoping.admin import ScopedModelAdmin


@admin.register(RegistrantImport)
class RegistrantImportAdmin(ScopedModelAdmin):
    list_display = ["campaign", "organization", "file_name", "registrants", "attendees", "sources", "created_at"]
    list_filter = ["campaign", "organization"]
    list_select_related = ["campaign", "organization"]
    readonly_fields = [
        "campaign",
        "organization",
        "period_start",
        "period_end",
        "file_name",
        "registrants",
        "attendees",
        "sources",
        "imported_by",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # uploaded through the API, which previews, maps the columns and counts

    def has_change_permission(self, request, obj=None):
        return False  # a file is counted once; a newer export is imported as a new file

    @admin.display(description="Per source company")
    def sources(self, registrant_import: RegistrantImport) -> str:
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} registrants, {} attendees",
            ((row["name"], row["registrants"], row["attendees"]) for row in registrant_import.by_source),
        )
