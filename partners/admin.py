from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from partners import governance
from partners.models import IdentityProvider, Organization, PartnerRelationship, Person, SignOnDomain
from partners.scoping import may
from partners.scoping.admin import ScopedModelAdmin


@admin.register(Organization)
class OrganizationAdmin(ScopedModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]


# Pages acting on one person: (title, what happens, button, the service's arguments).
PERSON_ACTIONS = {
    "deactivate": (
        "Deactivate",
        "They can no longer log in: their sessions, API tokens and calendar feeds end now, reminders and digests stop, "
        "and they are offered for no new work. What they did stays in the history. Hand over what they still hold "
        "(listed below).",
        "Deactivate",
    ),
    "reactivate": ("Reactivate", "They can log in again with their password.", "Reactivate"),
    "grant-admin": (
        "Make administrator",
        "They will invite colleagues, grant this role and deactivate and reactivate your company's people.",
        "Make administrator",
    ),
    "remove-admin": (
        "Remove administrator role",
        "They keep their login; they no longer govern your people.",
        "Remove",
    ),
}


class ColleagueInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=150, label="E-mail address")
    job_title = forms.CharField(max_length=200, required=False)


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    list_display = ["full_name", "organization", "email", "job_title", "is_company_admin", "is_active"]
    list_filter = ["organization", "is_active", "is_company_admin"]
    list_select_related = ["organization"]
    search_fields = ["full_name", "email"]
    readonly_fields = ["open_responsibilities"]
    change_form_template = "admin/partners/person/change_form.html"
    change_list_template = "admin/partners/person/change_list.html"
    row_actions = {name: governance.GOVERN for name in PERSON_ACTIONS}

    def get_fields(self, request, obj=None):
        # What a person still holds (on campaigns a partner may not see) is for their company's administrators.
        fields = [name for name in super().get_fields(request, obj) if name != "open_responsibilities"]
        governs = obj is not None and may(request.user, obj, governance.GOVERN)
        return [*fields, "open_responsibilities"] if governs else fields

    @admin.display(description="Open responsibilities")
    def open_responsibilities(self, person: Person) -> str:
        if person.pk is None:
            return "—"
        held = governance.open_responsibilities(person)
        if not held:
            return "None: nothing to hand over."
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', held_items(held)))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("invite/", view(self.invite_view), name="partners_person_invite"),
            *(
                path(
                    f"<path:object_id>/{name}/", view(partial(self.person_action_view, name=name)), name=url_name(name)
                )
                for name in PERSON_ACTIONS
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"may_invite": governance.administers(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, unquote(object_id))
        buttons = []
        if person is not None and may(request.user, person, governance.GOVERN):
            offered = ["reactivate"] if not person.is_active else ["deactivate"]
            offered.append("remove-admin" if person.is_company_admin else "grant-admin")
            buttons = [
                (reverse(f"admin:{url_name(name)}", args=[person.pk]), PERSON_ACTIONS[name][0]) for name in offered
            ]
        return super().change_view(request, object_id, form_url, {"person_actions": buttons, **(extra_context or {})})

    def invite_view(self, request):
        """An administrator invites a colleague: a person and a login, e-mailed a link to choose a password."""
        organization = governance.ensure_company_admin(request.user)
        form = ColleagueInvitationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                person = governance.colleague_invite(user=request.user, **form.cleaned_data)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(
                    request, f"{person.full_name} is invited: they were e-mailed a link to set a password."
                )
                return redirect("admin:partners_person_change", person.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Invite a colleague to {organization}",
            "form": form,
        }
        return render(request, "admin/partners/person/invite.html", context)

    def person_action_view(self, request, object_id, name: str):
        person = self.row_for_action(request, object_id, governance.GOVERN)
        title, explanation, button = PERSON_ACTIONS[name]
        if request.method == "POST":
            try:
                self._do(name, person, request.user)
            except ValidationError as refused:
                messages.error(request, " ".join(refused.messages))
            else:
                messages.success(request, f"{person.full_name}: {title.lower()} done.")
            return redirect("admin:partners_person_change", person.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": person,
            "person": person,
            "title": f"{title}: {person.full_name}",
            "explanation": explanation,
            "button": button,
            "responsibilities": governance.open_responsibilities(person) if name == "deactivate" else [],
        }
        return render(request, "admin/partners/person/action.html", context)

    @staticmethod
    def _do(name: str, person: Person, user) -> Person:
        if name == "deactivate":
            return governance.person_deactivate(user=user, person=person)
        if name == "reactivate":
            return governance.person_reactivate(user=user, person=person)
        return governance.company_admin_set(user=user, person=person, admin=name == "grant-admin")


def url_name(action_name: str) -> str:
    return f"partners_person_{action_name.replace('-', '_')}"


def held_items(held: list[governance.Responsibility]):
    return ((item.path, item.label) for item in held)


@admin.register(PartnerRelationship)
class PartnerRelationshipAdmin(ScopedModelAdmin):
    """A vendor's partners and their tiers; a partner sees, read-only, how each vendor counts it."""

    list_display = ["partner", "vendor", "tier", "since"]
    list_filter = ["tier"]
    list_select_related = ["partner", "vendor"]
    autocomplete_fields = ["partner"]
    fields = ["vendor", "partner", "tier", "since"]


class IdentityProviderForm(forms.ModelForm):
    """The client secret is written, never shown back: left empty, the saved one stays."""

    issuer = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=IdentityProvider._meta.get_field("issuer").help_text,
    )
    client_secret = forms.CharField(
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Given by your provider with the client ID. Never shown again: leave empty to keep the saved one.",
    )

    class Meta:
        model = IdentityProvider
        fields = ["organization", "issuer", "client_id", "client_secret", "is_enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["client_secret"] = ""  # neither rendered nor counted as changed when left empty

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data["client_secret"]
        if secret:
            return secret
        if self.instance.pk is not None:
            return self.instance.client_secret
        raise ValidationError("Enter the client secret your provider gave with the client ID.")


@admin.register(IdentityProvider)
class IdentityProviderAdmin(ScopedModelAdmin):
    """A company's administrators connect its OpenID Connect provider (see "Single sign-on" in the README)."""

    form = IdentityProviderForm
    list_display = ["organization", "issuer", "client_id", "is_enabled"]
    list_select_related = ["organization"]
    fields = ["organization", "issuer", "client_id", "client_secret", "is_enabled"]


@admin.register(SignOnDomain)
class SignOnDomainAdmin(ScopedModelAdmin):
    """The e-mail domains whose addresses sign in through the company's provider."""

    list_display = ["domain", "organization"]
    list_select_related = ["organization"]
    search_fields = ["domain"]
    fields = ["organization", "domain"]
