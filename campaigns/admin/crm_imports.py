"""Uploading a CRM export: choose the campaign and period, see what it would record, then save it."""

from django.contrib import admin

from campaigns.admin.uploads import PeriodUploadForm, PreviewedUploadAdmin, column_choice
from campaigns.models import CrmImport
from campaigns.services import crm_imports as services


class CrmUploadForm(PeriodUploadForm):
    max_bytes = services.MAX_BYTES
    file_help = "Your CRM's lead export as CSV (comma, semicolon or tab; UTF-8 or Windows-1252)."
    column_fields = ("status_column",)
    status_column = column_choice(
        "Status column", "The column holding each lead's status; the preview guesses it, choose another if it is wrong."
    )


@admin.register(CrmImport)
class CrmImportAdmin(PreviewedUploadAdmin):
    upload_form = CrmUploadForm
    upload_title = "Import figures from a CRM export"
    preview_template = "admin/campaigns/crmimport/preview.html"
    list_display = ["campaign", "organization", "period_start", "period_end", "rows", "file_name", "created_at"]
    readonly_fields = [*PreviewedUploadAdmin.first_fields, "rows", "leads_by_stage", *PreviewedUploadAdmin.last_fields]

    def preview(self, data, stream, person):
        return services.crm_import_preview(
            campaign=data["campaign"],
            organization_id=person.organization_id,
            content=stream.read(),
            status_column=data["status_column"],
        )

    def save(self, data, stream, person) -> str:
        services.crm_import_apply(
            campaign=data["campaign"],
            person=person,
            content=stream.read(),
            file_name=data["file_name"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            status_column=data["status_column"],
        )
        return "The figures are recorded."

    def chosen_columns(self, preview):
        return preview.columns, {"status_column": preview.status_column}
