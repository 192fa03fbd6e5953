"""Uploading a CRM export: choose the campaign and period, see what it would record, then save it."""

import base64

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from campaigns.models import Campaign, CrmImport
from campaigns.services import crm_imports as services
from partners.scoping.admin import ScopedModelAdmin
from partners.services import person_of
from utilities.validation import validate_period_span, work_date


class CrmUploadForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.none())
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[work_date])
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[work_date])
    file = forms.FileField(
        required=False, help_text="Your CRM's lead export as CSV (comma, semicolon or tab; UTF-8 or Windows-1252)."
    )
    status_column = forms.ChoiceField(
        required=False,
        choices=[("", "Guess from the file")],
        help_text="The column holding each lead's status; the preview guesses it, choose another if it is wrong.",
    )
    content = forms.CharField(required=False, widget=forms.HiddenInput)  # the previewed file, when saving it
    file_name = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_user(user).open().order_by("name")
        # The file's own columns once it was read; before that (or posted back), any name the service checks.
        names = columns or [self.data.get("status_column", "")]
        self.fields["status_column"].choices += [(name, name) for name in names if name]

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise ValidationError("The period cannot end before it starts.")
        validate_period_span(data.get("period_start"), data.get("period_end"))
        upload = data.get("file")
        if upload is not None:
            if upload.size > services.MAX_BYTES:
                raise ValidationError("The file is larger than 5 MB.")
            data["bytes"], data["file_name"] = upload.read(), upload.name
        elif data.get("content"):
            data["bytes"] = base64.b64decode(data["content"].encode())
        else:
            raise ValidationError("Choose the CSV file to import.")
        return data


@admin.register(CrmImport)
class CrmImportAdmin(ScopedModelAdmin):
    list_display = ["campaign", "organization", "period_start", "period_end", "rows", "file_name", "created_at"]
    list_filter = ["campaign", "organization"]
    list_select_related = ["campaign", "organization"]
    readonly_fields = [
        "campaign",
        "organization",
        "period_start",
        "period_end",
        "file_name",
        "rows",
        "leads_by_stage",
        "imported_by",
        "created_at",
    ]
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # upload the period again to replace it

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return redirect("admin:campaigns_crmimport_changelist")
        person = person_of(request.user)
        form = CrmUploadForm(request.POST or None, request.FILES or None, user=request.user)
        preview = None
        if request.method == "POST" and form.is_valid() and person is not None:
            data = form.cleaned_data
            try:
                if request.POST.get("save"):
                    services.crm_import_apply(
                        campaign=data["campaign"],
                        person=person,
                        content=data["bytes"],
                        file_name=data["file_name"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        status_column=data["status_column"],
                    )
                    messages.success(request, "The figures are recorded.")
                    return redirect("admin:campaigns_campaign_home", data["campaign"].pk)
                preview = services.crm_import_preview(
                    campaign=data["campaign"],
                    organization_id=person.organization_id,
                    content=data["bytes"],
                    status_column=data["status_column"],
                )
                form = CrmUploadForm(
                    {
                        **request.POST.dict(),
                        "content": base64.b64encode(data["bytes"]).decode(),
                        "file_name": data["file_name"],
                        "status_column": preview.status_column,
                    },
                    user=request.user,
                    columns=preview.columns,
                )
            except ValidationError as refused:
                form.add_error(None, refused)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import figures from a CRM export",
            "form": form,
            "preview": preview,
        }
        return render(request, "admin/campaigns/crmimport/upload.html", context)
