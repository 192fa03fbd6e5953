"""Uploading an export in the admin, one way for every importer (a CRM's leads, a webinar platform's registrants):
choose the campaign and period and the file, see what it would record, choose other columns if a guess was wrong,
then save it.

The previewed file waits in private storage under a signed name, for the person who sent it and for an hour:
its bytes do not travel back and forth in the form (a registrant export may be 20 MB, more than a form field
takes), and nobody else can save it."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.shortcuts import redirect, render

from campaigns.models import Campaign
from campaigns.models.assets import private_storage
from partners.scoping.admin import ScopedModelAdmin
from partners.services import person_of
from utilities.validation import validate_period_span, work_date

_SALT = "campaigns.admin.uploads"
_KEPT_SECONDS = 3600
_EXPIRED = "The previewed file is no longer kept: choose it again."


def stash(upload, user) -> str:
    """Keep the uploaded file for saving after its preview; the signed name the form carries back."""
    name = private_storage.save(f"private/uploads/{uuid.uuid4().hex}.csv", ContentFile(upload.read()))
    return signing.dumps({"name": name, "user": user.pk}, salt=_SALT)


def unstash(token: str, user):
    """The file kept by `stash` for this user, open for reading, or a ValidationError."""
    try:
        kept = signing.loads(token, salt=_SALT, max_age=_KEPT_SECONDS)
    except signing.BadSignature:
        raise ValidationError(_EXPIRED) from None
    if kept.get("user") != user.pk or not private_storage.exists(kept.get("name", "")):
        raise ValidationError(_EXPIRED)
    return private_storage.open(kept["name"], "rb")


def forget(token: str) -> None:
    try:
        private_storage.delete(signing.loads(token, salt=_SALT)["name"])
    except (signing.BadSignature, KeyError):
        pass


class PeriodUploadForm(forms.Form):
    """A campaign (of the user's open ones), a period and an export; `column_fields` are the form's choices of the
    file's columns, offered once the file was read."""

    max_bytes = 0
    file_help = ""
    column_fields: tuple[str, ...] = ()

    campaign = forms.ModelChoiceField(Campaign.objects.none())
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[work_date])
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[work_date])
    file = forms.FileField(required=False)
    content = forms.CharField(required=False, widget=forms.HiddenInput)  # the previewed file, kept: see `stash`
    file_name = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["campaign"].queryset = Campaign.objects.for_user(user).open().order_by("name")
        self.fields["file"].help_text = self.file_help
        for name in self.column_fields:
            # The file's own columns once it was read; before that (or posted back), any name the service checks.
            names = columns or [self.data.get(name, "")]
            self.fields[name].choices = [("", "Guess from the file")] + [(column, column) for column in names if column]

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise ValidationError("The period cannot end before it starts.")
        validate_period_span(data.get("period_start"), data.get("period_end"))
        upload = data.get("file")
        if upload is not None:
            if upload.size > self.max_bytes:
                raise ValidationError(f"The file is larger than {self.max_bytes / 2**20:g} MB.")
            data["content"], data["file_name"] = stash(upload, self.user), upload.name
        elif not data.get("content"):
            raise ValidationError("Choose the CSV file to import.")
        return data


def column_choice(label: str, help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "Guess from the file")], help_text=help_text)


class PreviewedUploadAdmin(ScopedModelAdmin):
    """An import's admin: its list and read-only rows, and an add page that uploads, previews and saves. A subclass
    says what its form is, what a preview and a save are (its service's), and which columns the preview read."""

    upload_form: type[PeriodUploadForm]
    upload_title = ""
    preview_template = ""
    list_filter = ["campaign", "organization"]
    list_select_related = ["campaign", "organization"]
    # Its rows are read-only: what each holds is the subclass's `readonly_fields`, between these.
    first_fields = ["campaign", "organization", "period_start", "period_end", "file_name"]
    last_fields = ["imported_by", "created_at"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # an export is imported again (a new file, or its period again), never edited

    def preview(self, data: dict, stream, person) -> Any:
        raise NotImplementedError

    def save(self, data: dict, stream, person) -> str:
        """Import the file; the message saying what was recorded."""
        raise NotImplementedError

    def chosen_columns(self, preview) -> tuple[list[str], dict[str, str]]:
        """The file's columns, and the column the preview read for each of the form's `column_fields`."""
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        opts = self.model._meta
        if not self.has_add_permission(request):
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        person = person_of(request.user)
        form = self.upload_form(request.POST or None, request.FILES or None, user=request.user)
        preview = None
        if request.method == "POST" and form.is_valid() and person is not None:
            data = form.cleaned_data
            try:
                with unstash(data["content"], request.user) as stream:
                    if request.POST.get("save"):
                        messages.success(request, self.save(data, stream, person))
                        forget(data["content"])
                        return redirect("admin:campaigns_campaign_home", data["campaign"].pk)
                    preview = self.preview(data, stream, person)
                header, chosen = self.chosen_columns(preview)
                kept = {"content": data["content"], "file_name": data["file_name"], **chosen}
                form = self.upload_form({**request.POST.dict(), **kept}, user=request.user, columns=header)
            except ValidationError as refused:
                form.add_error(None, refused)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": self.upload_title,
            "form": form,
            "preview": preview,
            "preview_template": self.preview_template,
        }
        return render(request, "admin/campaigns/upload.html", context)
