"""Registrant imports, counted per source company, uploaded here (upload, preview, save) or through the API
(`POST /api/registrant-imports/`); and the registrants, read as the agreed lead-sharing terms say."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from campaigns.admin.uploads import PeriodUploadForm, PreviewedUploadAdmin, column_choice
from campaigns.models import Registrant, RegistrantImport
from campaigns.services import registrants as services
from partners.scoping import ADD, ensure_may, read_value
from partners.scoping.admin import ScopedModelAdmin
from utilities.exports import csv_response


class RegistrantUploadForm(PeriodUploadForm):
    max_bytes = services.MAX_BYTES
    file_help = "The webinar platform's registrant or attendee export as CSV (Zoom, GoTo Webinar, ON24, Livestorm)."
    column_fields = ("email_column", "attended_column", "source_column")
    email_column = column_choice("E-mail address column", "The column holding each registrant's e-mail address.")
    attended_column = column_choice(
        "Attended column", "The column saying whether they attended; none for a registration export."
    )
    source_column = column_choice(
        "Tracking source column", "The column holding the tracking link's utm_source, which says who brought them."
    )


@admin.register(RegistrantImport)
class RegistrantImportAdmin(PreviewedUploadAdmin):
    upload_form = RegistrantUploadForm
    upload_title = "Import registrants from a webinar platform's export"
    preview_template = "admin/campaigns/registrantimport/preview.html"
    list_display = ["campaign", "organization", "file_name", "registrants", "attendees", "sources", "created_at"]
    readonly_fields = [
        *PreviewedUploadAdmin.first_fields,
        "registrants",
        "attendees",
        "sources",
        *PreviewedUploadAdmin.last_fields,
    ]

    @staticmethod
    def _columns(data) -> dict[str, str]:
        return {role: data[f"{role}_column"] for role in ("email", "attended", "source") if data[f"{role}_column"]}

    def preview(self, data, stream, person):
        return services.registrants_count(campaign=data["campaign"], stream=stream, columns=self._columns(data))

    def save(self, data, stream, person) -> str:
        registrant_import, created = services.registrants_import(
            campaign=data["campaign"],
            person=person,
            stream=stream,
            file_name=data["file_name"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            columns=self._columns(data),
        )
        ensure_may(person.user, registrant_import, ADD)
        if not created:
            return f"This file was imported already, on {registrant_import.created_at:%d %B %Y}: nothing changed."
        return f"{registrant_import.registrants} registrants and {registrant_import.attendees} attendees are recorded."

    def chosen_columns(self, counted):
        return counted.header, {
            f"{role}_column": column
            for role, column in counted.columns.items()
            if role in ("email", "attended", "source")
        }

    @admin.display(description="Per source company")
    def sources(self, registrant_import: RegistrantImport) -> str:
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} registrants, {} attendees",
            ((row["name"], row["registrants"], row["attendees"]) for row in registrant_import.by_source),
        )


CSV_FIELDS = (
    ("email", "E-mail address"),
    ("name", "Name"),
    ("company", "Company"),
    ("job_title", "Job title"),
    ("phone", "Phone number"),
    ("country", "Country"),
    ("attended", "Attended"),
)


def _csv_cell(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else value


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
    actions = ["download_csv"]
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

    @admin.action(description="Download the selected registrants as CSV")
    def download_csv(self, request, queryset):
        """What the reader may read of each, and nothing else: a withheld field is an empty cell."""
        columns = {"brought_by": "Brought by", **{name: label for name, label in CSV_FIELDS}}
        rows = (
            {
                "Brought by": self.brought_by(registrant),
                **{label: _csv_cell(read_value(registrant, name)) for name, label in CSV_FIELDS},
            }
            for registrant in queryset.select_related("source_organization").order_by("registrant_import_id", "row")
        )
        return csv_response("registrants.csv", list(columns.values()), rows)

    @admin.display(description="Brought by")
    def brought_by(self, registrant: Registrant) -> str:
        return registrant.source_organization.name if registrant.source_organization_id else "No company's link"
