"""Registrant imports, counted per source company; imported through the API (`POST /api/registrant-imports/`)."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from campaigns.models import Registrant, RegistrantImport
from partners.scoping import read_value
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


def _shown(name: str, description: str):
    """A registrant's personal field as its reader may read it (the lead-sharing terms'), else a dash."""

    @admin.display(description=description)
    def show(self, registrant: Registrant) -> str:
        value = read_value(registrant, name)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return value

    return show


@admin.register(Registrant)
class RegistrantAdmin(ScopedModelAdmin):
    """Read-only: registrants come from their import. A personal field the agreed lead-sharing terms do not give
    the reader's company shows as a dash, and nothing filters, searches or sorts by one."""

    list_display = ["shown_name", "shown_email", "shown_company", "shown_job_title", "shown_attended", "brought_by"]
    list_filter = ["campaign", "source_organization"]
    list_select_related = ["source_organization", "registrant_import"]
    sortable_by = ()
    readonly_fields = [
        "campaign",
        "registrant_import",
        "row",
        "brought_by",
        "shown_email",
        "shown_name",
        "shown_company",
        "shown_job_title",
        "shown_phone",
        "shown_country",
        "shown_attended",
    ]
    fields = readonly_fields

    shown_email = _shown("email", "E-mail address")
    shown_name = _shown("name", "Name")
    shown_company = _shown("company", "Company")
    shown_job_title = _shown("job_title", "Job title")
    shown_phone = _shown("phone", "Phone number")
    shown_country = _shown("country", "Country")
    shown_attended = _shown("attended", "Attended")

    @admin.display(description="Brought by")
    def brought_by(self, registrant: Registrant) -> str:
        return registrant.source_organization.name if registrant.source_organization_id else "No company's link"
