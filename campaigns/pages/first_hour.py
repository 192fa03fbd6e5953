"""A company's first hour on a campaign: one page with what is asked of it, each step one form or one click done in
place (plain forms posting back to the page), and its progress ("3 of 5 done"). Linked from the acceptance of an
invitation and, while anything is left, from the campaign's home page.

Every write goes through the services and the scoping rules: the kickoff answers through the versioned admin form
of their row, the roles and tool access with the version of each row the page showed, the KPI agreement with the
targets the page showed."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from campaigns.models import Campaign, KickoffCompanyPart, Member
from campaigns.pages.home import campaign_home
from campaigns.selectors.first_hour import FirstHour, current_kpis, first_hour_of, kpi_fingerprint
from campaigns.selectors.kickoff import campaign_for_completeness, kickoff_completeness
from campaigns.services import kickoff as kickoff_services
from campaigns.services import kpis as kpi_services
from campaigns.services.team import team_roles_name
from partners.models import Organization, Person
from partners.scoping import ensure_may, organization_id_of
from partners.scoping.admin import authority_form, name_control, versioned_form
from partners.scoping.versions import VersionConflict
from partners.services import person_of
from utilities.forms import ChoiceByTyping

YES_NO = [(True, "Yes"), (False, "No")]
SELECT_UP_TO = 200  # people in a company: more, and a person is picked by typing their name


def few_people(hour: FirstHour) -> list[Person] | None:
    """The company's people when there are few enough to offer in a select."""
    people = list(hour.people[: SELECT_UP_TO + 1])
    return people if len(people) <= SELECT_UP_TO else None


def person_field(hour: FirstHour, few, label: str, initial, required: bool = True) -> forms.Field:
    """A choice of one of the company's people (`initial` a person or None): a select of `few_people`, or for a
    large company (`few` None) a name typed."""
    if few is not None:
        choices = [(person.pk, person.full_name) for person in few]
        if not required:
            choices.insert(0, ("", "---------"))
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            coerce=int,
            initial=initial.pk if initial else None,
            required=required,
            empty_value=None,
        )
    lookups = {"email": "email__iexact", "name": "full_name__iexact", "start": "full_name__istartswith"}
    return ChoiceByTyping(
        label=label,
        find=lambda how, text: list(hour.people.filter(**{lookups[how]: text}).values_list("pk", flat=True)[:2]),
        initial=f"{initial.full_name} <{initial.email}>" if initial else "",
        required=required,
        help_text="A name or an e-mail address.",
    )


class RolesForm(forms.Form):
    """One choice per role, among the company's people: the current holder, or you while nobody holds it."""

    def __init__(self, *args, hour: FirstHour, you: Person | None, **kwargs):
        super().__init__(*args, **kwargs)
        few = few_people(hour)
        for name, label in Member.ROLE_FIELDS.items():
            holder = next((m.person for m in hour.members if getattr(m, name)), None)
            self.fields[name] = person_field(hour, few, label, holder or you)
        self.hour = hour

    def holders(self) -> dict:
        chosen = self.cleaned_data
        people = self.hour.people.in_bulk(set(chosen.values()))
        return {name: people[person_id] for name, person_id in chosen.items()}


class LegalForm(forms.ModelForm):
    has_legal_review = forms.TypedChoiceField(
        label="Does your legal team review the deliverables?",
        choices=YES_NO,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = KickoffCompanyPart
        fields = ["has_legal_review", "legal_reviewer", "legal_turnaround_business_days", "no_brand_assets"]
        labels = {
            "legal_reviewer": "Legal reviewer",
            "legal_turnaround_business_days": "Legal review takes (business days)",
            "no_brand_assets": "We have no brand guidelines, logos or templates to share",
        }

    def __init__(self, *args, hour: FirstHour, **kwargs):
        super().__init__(*args, **kwargs)
        # the people already read, labelled by name alone (a person's label names their company: a query each)
        label = self.fields["legal_reviewer"].label
        reviewer = person_field(hour, few_people(hour), label, self.instance.legal_reviewer, required=False)
        self.fields["legal_reviewer"], self.initial["legal_reviewer"] = reviewer, reviewer.initial  # a name, typed
        self.hour = hour

    def clean_legal_reviewer(self):
        chosen = self.cleaned_data.get("legal_reviewer")
        return self.hour.people.get(pk=chosen) if chosen is not None else None


class ProcessesForm(forms.ModelForm):
    class Meta:
        model = KickoffCompanyPart
        fields = [f"{prefix}_{what}" for prefix in KickoffCompanyPart.PROCESSES for what in ("process", "lead_days")]
        widgets = {f"{prefix}_process": forms.Textarea(attrs={"rows": 2}) for prefix in KickoffCompanyPart.PROCESSES}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for prefix, label in KickoffCompanyPart.PROCESSES.items():
            self.fields[f"{prefix}_process"].label = f"{label}: how"
            self.fields[f"{prefix}_process"].max_length = settings.TEXT_MAX_LENGTH
            self.fields[f"{prefix}_lead_days"].label = f"{label}: lead time (business days)"
            self.fields[f"{prefix}_lead_days"].help_text = ""


PART_FORMS = {"legal": LegalForm, "processes": ProcessesForm}


def _part_form(request, step: str, hour: FirstHour, data=None):
    form_class = versioned_form(authority_form(PART_FORMS[step], request))
    kwargs = {"hour": hour} if step == "legal" else {}
    # A company that joined before parts were started on acceptance gets its part with its first answer.
    part = hour.part or KickoffCompanyPart(campaign=hour.campaign, organization=hour.organization)
    form = form_class(data, instance=part, prefix=step, **kwargs)
    for field in form.fields.values():
        name_control(field, str(field.label))
    return form


def _versions_posted(request, prefix: str, ids: list[int]) -> dict[int, int]:
    """The versions the page showed of the rows `ids` (`<prefix>-<id>` fields); only those are read. A row the
    page did not show (added since) gets 0, which no row has: its write is refused as changed since."""
    seen = {}
    for row_id in ids:
        value = request.POST.get(f"{prefix}-{row_id}", "")
        seen[row_id] = int(value) if value.isdigit() and len(value) < 10 else 0
    return seen


def _save_roles(request, hour: FirstHour, form: RolesForm) -> str:
    team_roles_name(
        campaign=hour.campaign,
        organization=hour.organization,
        holders=form.holders(),
        seen_versions=_versions_posted(request, "member-version", [m.pk for m in hour.members]),
        user=request.user,
    )
    return "Your company's roles are named."


def _save_part(request, hour: FirstHour, form) -> str:
    part = form.instance
    adding = part.pk is None
    part._history_user = request.user
    form.save()
    ensure_may(request.user, part, "add" if adding else "change")
    # Every question of the company's part answered: the part is complete (no separate "mark complete" step).
    full = campaign_for_completeness(hour.campaign.pk)
    if part.completed_at is None and not kickoff_completeness(full).unanswered_of(hour.organization.pk):
        kickoff_services.kickoff_part_mark_complete(part=part, person=person_of(request.user))
        return "Saved: your company's kickoff answers are complete."
    return "Saved."


def _save_tools(request, hour: FirstHour) -> str:
    checked = set(request.POST.getlist("access")[:1000])
    person = person_of(request.user)
    for line in hour.tool_lines:
        for tool, _, has, version in line.tools:
            has_access = f"{line.member.pk}:{tool}" in checked
            if has is not None and has == has_access:
                continue
            shown = request.POST.get(f"tool-version-{line.member.pk}-{tool}", "")
            # A line recorded since the page was shown (no version on it) moved on from "not confirmed".
            seen = int(shown) if shown.isdigit() and len(shown) < 10 else (0 if version else None)
            access = kickoff_services.tool_access_confirm(
                member=line.member, tool=tool, has_access=has_access, person=person, seen_version=seen
            )
            ensure_may(request.user, access, "change" if version else "add")
    return "Your team's tool access is confirmed."


def _agree(request, hour: FirstHour) -> str:
    if hour.round is None:
        raise ValidationError("This campaign has no KPI agreement round yet.")
    ensure_may(request.user, hour.round, "agree")
    if request.POST.get("kpis", "") != kpi_fingerprint(current_kpis(hour.campaign)):
        raise ValidationError("The KPIs changed since you opened this page: review them below, then agree again.")
    agreement = kpi_services.kpi_agree(
        campaign=hour.campaign, organization=hour.organization, person=person_of(request.user)
    )
    return f"{agreement.statement}."


def first_hour_response(request, campaign: Campaign, render_page):
    """The page (GET), or one step saved (POST, then back to the page at the next step). `render_page(context)`
    draws it in the admin's frame."""
    organization_id = organization_id_of(request.user)
    organization = Organization.objects.filter(pk=organization_id).first() if organization_id else None
    if organization is None or not campaign.parties.filter(organization=organization).exists():
        return render_page({"campaign": campaign, "hour": None})
    hour = first_hour_of(campaign, organization)
    you = person_of(request.user)
    forms_shown = {
        "roles": RolesForm(hour=hour, you=you, prefix="roles"),
        **{step: _part_form(request, step, hour) for step in PART_FORMS},
    }
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step:
        bound = None
        if step == "roles":
            bound = RolesForm(request.POST, hour=hour, you=None, prefix="roles")
        elif step in PART_FORMS:
            bound = _part_form(request, step, hour, request.POST)
        if bound is not None and not bound.is_valid():
            forms_shown[step] = bound  # shown again with what was typed and why it was refused
            return render_page(_context(hour, you, forms_shown, step))
        try:
            with transaction.atomic():
                said = _do(request, step, hour, bound)
        except (ValidationError, PermissionDenied, VersionConflict) as refused:
            messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
            return redirect(f"{request.path}#step-{step}")
        messages.success(request, said)
        after = first_hour_of(campaign, organization).next_step
        return redirect(f"{request.path}#step-{after.key}" if after else request.path)
    return render_page(_context(hour, you, forms_shown, hour.next_step.key if hour.next_step else ""))


def _do(request, step: str, hour: FirstHour, form) -> str:
    if step == "roles":
        return _save_roles(request, hour, form)
    if step in PART_FORMS:
        return _save_part(request, hour, form)
    if step == "tools":
        return _save_tools(request, hour)
    if step == "kpis":
        return _agree(request, hour)
    raise ValidationError("Choose one of the steps on this page.")


def _context(hour: FirstHour, you, forms_shown: dict, open_step: str) -> dict:
    return {
        "campaign": hour.campaign,
        "hour": hour,
        "forms": forms_shown,
        "open_step": open_step,
        "user_gives_word": hour.word.given_by(you),
    }


@campaign_home.panel("Your company's first hour", "campaigns/home/first_hour.html", order=5)
def first_hour_panel(request, campaign):
    """While anything is left for the user's company, the way to its first-hour page."""
    organization_id = organization_id_of(request.user)
    party = campaign.parties.filter(organization_id=organization_id).select_related("organization").first()
    if organization_id is None or party is None:
        return None
    hour = first_hour_of(campaign, party.organization)
    if hour.is_complete:
        return None
    url = reverse("admin:campaigns_campaign_first_hour", args=[campaign.pk])
    return {"hour": hour, "url": url}
