"""Invitations in the admin: the host invites (a company in the tracker, or a new one by its contact's e-mail)
and withdraws; the invited company accepts or declines from the invitation's page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse

from campaigns.models import Campaign, Invitation
from campaigns.models.invitations import CONTACT_EMAIL_MAX_CHARS, INVITED_NAME_MAX_CHARS
from campaigns.selectors.core import invitations_with_host
from campaigns.services import invitations as services
from partners.models import Organization
from partners.scoping import CHANGE, may, refusal_to
from partners.scoping.admin import ScopedModelAdmin
from utilities.limits import LimitReached
from utilities.validation import validate_single_line


def invitation_form(request) -> type[forms.ModelForm]:
    user = request.user

    class InvitationForm(forms.ModelForm):
        campaign = forms.ModelChoiceField(Campaign.objects.for_user(user, CHANGE).open().order_by("name"))
        organization = forms.ModelChoiceField(
            Organization.objects.selectable_as_partner(user).order_by("name"),
            required=False,
            label="Company",
            help_text="A company already in the tracker…",
        )
        company_name = forms.CharField(
            required=False,
            max_length=INVITED_NAME_MAX_CHARS,
            validators=[validate_single_line],
            help_text="…or a company new to the tracker,",
        )
        contact_name = forms.CharField(
            required=False,
            max_length=INVITED_NAME_MAX_CHARS,
            validators=[validate_single_line],
            help_text="its contact's name",
        )
        contact_email = forms.EmailField(
            required=False,
            max_length=CONTACT_EMAIL_MAX_CHARS,
            help_text="and e-mail: they get a link to set a password and answer.",
        )

        class Meta:
            model = Invitation
            fields = ["campaign", "organization", "message"]

        def clean(self):
            data = super().clean()
            new_company = [data.get(name) for name in ("company_name", "contact_name", "contact_email")]
            if bool(data.get("organization")) == any(new_company):
                raise ValidationError("Choose a company in the tracker, or name a new company and its contact.")
            if any(new_company) and not all(new_company):
                raise ValidationError("A new company needs its name, a contact's name and their e-mail.")
            # The service's own rules, as form errors that keep what was typed (the service checks them again).
            campaign = data.get("campaign")
            if campaign is None:
                return data
            if all(new_company):
                refused = refusal_to(user, campaign, "invite_new_company")
                if refused:
                    raise ValidationError(refused)
            try:
                services.ensure_within_invitation_limits(user=user, new_company=all(new_company))
            except LimitReached as reached:
                raise ValidationError(reached.message) from None
            if data.get("organization"):
                services.ensure_can_be_invited(campaign, data["organization"])
            return data

        def _post_clean(self):
            pass  # the service validates and saves (see InvitationAdmin.save_form)

    return InvitationForm


@admin.register(Invitation)
class InvitationAdmin(ScopedModelAdmin):
    list_display = ["invitee", "campaign", "status", "invited_by", "created_at", "answered_at"]
    list_filter = ["status"]
    # By the name the host sees (an invitation by e-mail: the name it gave), never by the company it went to.
    search_fields = ["invitee_name_sql", "campaign__name"]
    change_form_template = "admin/campaigns/invitation/change_form.html"
    readonly_fields = [
        "campaign_name",
        "host",
        "kind",
        "dates",
        "invitee",
        "status",
        "invited_by",
        "message",
        "created_at",
        "answered_at",
        "answered_by",
        "reason",
    ]

    def get_queryset(self, request):
        # One select_related for every page (the changelist then skips `list_select_related`).
        related = ("campaign", "organization", "invited_by__organization", "answered_by")
        return invitations_with_host(super().get_queryset(request).select_related(*related).with_invitee_name())

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["campaign", "organization", "company_name", "contact_name", "contact_email", "message"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = invitation_form(request)
        return super().get_form(request, obj, change, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"campaign": request.GET.get("campaign")}

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as refused:
            # The service's own rules (already a party, a name taken…): told, nothing kept.
            messages.error(request, " ".join(refused.messages))
            return redirect(request.get_full_path())

    def save_form(self, request, form, change):
        """A new invitation is made by the service (which e-mails the invited company); its row is what the
        admin then logs and shows."""
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        if data.get("organization"):
            invitation = services.invitation_create(
                user=request.user,
                campaign=data["campaign"],
                organization=data["organization"],
                message=data.get("message", ""),
            )
        else:
            invitation = services.invitation_create_for_new_company(
                user=request.user,
                campaign=data["campaign"],
                company_name=data["company_name"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                message=data.get("message", ""),
            )
        return invitation

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        pass

    @admin.display(description="Company", ordering="invitee_name_sql")
    def invitee(self, invitation: Invitation) -> str:
        return invitation.invitee_name

    @admin.display(description="Campaign")
    def campaign_name(self, invitation: Invitation) -> str:
        return invitation.campaign.name

    @admin.display(description="Host")
    def host(self, invitation: Invitation) -> str:
        return invitation.host_name or "—"

    @admin.display(description="Kind")
    def kind(self, invitation: Invitation) -> str:
        return invitation.campaign.get_kind_display()

    @admin.display(description="Dates")
    def dates(self, invitation: Invitation) -> str:
        campaign = invitation.campaign
        days = [
            f"{label} {day:%d %b %Y}"
            for label, day in (("launch", campaign.launch_date), ("end", campaign.end_date))
            if day
        ]
        return ", ".join(days) or "not set yet"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "answers": self._answers(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _answers(self, request, object_id) -> list[dict]:
        invitation = self.get_queryset(request).filter(pk=object_id).first()
        if invitation is None or not invitation.is_pending:
            return []
        answers = []
        if may(request.user, invitation, "answer"):
            answers += [
                {
                    "label": "Accept",
                    "url": reverse("admin:campaigns_invitation_accept", args=[invitation.pk]),
                    "post": True,
                },
                {"label": "Decline…", "url": reverse("admin:campaigns_invitation_decline", args=[invitation.pk])},
            ]
        if may(request.user, invitation, CHANGE):
            answers.append(
                {
                    "label": "Withdraw",
                    "url": reverse("admin:campaigns_invitation_withdraw", args=[invitation.pk]),
                    "post": True,
                }
            )
        return answers

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/accept/", view(self.accept_view), name="campaigns_invitation_accept"),
            path("<path:object_id>/decline/", view(self.decline_view), name="campaigns_invitation_decline"),
            path("<path:object_id>/withdraw/", view(self.withdraw_view), name="campaigns_invitation_withdraw"),
            *super().get_urls(),
        ]

    def _answer(self, request, object_id, action: str, service, success: str):
        self._scoped_object_or_404(request, object_id)
        invitation = self.get_queryset(request).get(pk=object_id)
        if request.method != "POST":
            return None
        if not may(request.user, invitation, action):
            raise PermissionDenied("Only the invited company answers an invitation; only the host withdraws it.")
        try:
            service(invitation)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, success.format(invitation=invitation))
        return redirect("admin:campaigns_invitation_change", invitation.pk)

    def accept_view(self, request, object_id):
        response = self._answer(
            request,
            object_id,
            "answer",
            lambda inv: services.invitation_accept(invitation=inv, user=request.user),
            "Welcome aboard: {invitation.organization} now takes part in “{invitation.campaign}”.",
        )
        if response is None:
            return redirect("admin:campaigns_invitation_change", object_id)
        invitation = self.get_queryset(request).get(pk=object_id)
        if invitation.status == Invitation.Status.ACCEPTED:
            # Accepted: on to what the campaign asks of the company now, one page.
            return redirect("admin:campaigns_campaign_first_hour", invitation.campaign_id)
        return response

    def withdraw_view(self, request, object_id):
        response = self._answer(
            request,
            object_id,
            CHANGE,
            lambda inv: services.invitation_withdraw(invitation=inv, user=request.user),
            "The invitation of {invitation.invitee_name} was withdrawn.",
        )
        return response or redirect("admin:campaigns_invitation_change", object_id)

    def decline_view(self, request, object_id):
        response = self._answer(
            request,
            object_id,
            "answer",
            lambda inv: services.invitation_decline(
                invitation=inv, user=request.user, reason=request.POST.get("reason", "")
            ),
            "You declined the invitation to “{invitation.campaign}”.",
        )
        if response is not None:
            return response
        invitation = self.get_queryset(request).get(pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": invitation,
            "title": f"Decline the invitation to “{invitation.campaign}”?",
            "text": f"{invitation.host_name} will be told; they see your reason if you give one.",
            "button": "Decline",
            "reason": True,
        }
        return render(request, "admin/campaigns/campaign/confirm_action.html", context)
