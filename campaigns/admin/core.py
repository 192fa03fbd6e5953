from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from campaigns.admin.comments import CommentThreadMixin
from campaigns.admin.flags import CampaignFlagColumns, FlagCodeFilter
from campaigns.models import (
    Campaign,
    CampaignTemplate,
    Deliverable,
    Invitation,
    Learning,
    Member,
    Metric,
    Party,
    RaciAssignment,
)
from campaigns.models.invitations import MESSAGE_MAX_CHARS
from campaigns.pages.first_hour import first_hour_response
from campaigns.pages.home import campaign_home, campaign_links
from campaigns.selectors import core as selectors
from campaigns.services import core as services
from campaigns.services import invitations as invitation_services
from campaigns.services import plan_moves as plan_move_services
from campaigns.services import plans as plan_services
from campaigns.services import reports as report_services
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, ensure_may, may, organization_id_of
from partners.scoping.admin import ScopedModelAdmin, ScopedTabularInline
from partners.services import person_of
from utilities.business_days import within_planning_horizon
from utilities.limits import LimitReached


def _campaign_being_edited(request) -> Campaign | None:
    return getattr(request, "campaign_being_edited", None)


class CampaignChoicesMixin:
    """Parties and members offered in a form come from the campaign being edited, not from every campaign."""

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request)
        campaign = _campaign_being_edited(request)
        if db_field.related_model in (Party, Member):
            # No campaign yet (an add page): nothing to offer until it is chosen and saved.
            queryset = queryset.filter(campaign=campaign) if campaign is not None else queryset.none()
        return queryset


class PartyInline(CampaignChoicesMixin, ScopedTabularInline):
    """Companies join by invitation; each one names its own point of contact here (the others' rows are locked)."""

    model = Party
    fields = ["organization", "role", "point_of_contact"]
    readonly_fields = ["organization", "role"]
    autocomplete_fields = ["point_of_contact"]  # a company may have many people
    can_delete = False  # removing or leaving is a service (it keeps the row as history): see the party's page


class InvitationInline(ScopedTabularInline):
    model = Invitation
    fields = ["organization", "status", "invited_by", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Invitations"

    def has_add_permission(self, request, obj=None):
        return False  # invitations are made with "Invite a company", which e-mails the invited company


class MemberInline(CampaignChoicesMixin, ScopedTabularInline):
    model = Member
    fields = ["person", *Member.ROLE_FIELDS]
    autocomplete_fields = ["person"]


class DeliverableInline(CampaignChoicesMixin, ScopedTabularInline):
    model = Deliverable
    fields = [
        "title",
        "type",
        "channel_party",
        "due_date",
        "status",
        "needs_signoff",
        "needs_legal_review",
        "is_pinned",
    ]
    show_change_link = True


class LearningInline(ScopedTabularInline):
    """Each company writes what it learned, for the results report; the others' rows are read-only."""

    model = Learning
    fields = ["organization", "text"]
    verbose_name_plural = "What we learned (for the results report)"


@admin.register(Campaign)
class CampaignAdmin(CampaignFlagColumns, ScopedModelAdmin):
    list_display = [
        "home_link",
        "kind",
        "status",
        "companies",
        "kickoff_date",
        "launch_date",
        "open_flags",
        "worst_severity",
    ]
    list_display_links = None  # a campaign opens on its home page; its details are one click from there
    row_actions = {"first-hour": "first_hour"}
    # Launch dates by period ("this month", "past 7 days"…), not a date hierarchy, whose years and months are
    # read from every campaign the user can see on each page.
    list_filter = [
        "status",
        "kind",
        ("launch_date", admin.DateFieldListFilter),
        "parties__organization",
        FlagCodeFilter,
    ]
    search_fields = ["name"]
    readonly_fields = ["raci_matrix_link", "created_by", "open_flag_list", "your_company"]
    fields = [
        "name",
        "kind",
        "status",
        "kickoff_date",
        "launch_date",
        "end_date",
        "goals",
        "your_company",
        "raci_matrix_link",
        "open_flag_list",
    ]
    inlines = [PartyInline, InvitationInline, MemberInline, DeliverableInline, LearningInline]

    def get_queryset(self, request):
        return self.flag_annotated(super().get_queryset(request).prefetch_related(selectors.parties_prefetch()))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the create form names the partner and the team

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.campaign_being_edited = obj
        if obj is None:
            kwargs["form"] = campaign_create_form(request)
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            targets = [target_field(metric) for metric in target_metrics(request)]
            return [*CAMPAIGN_CREATE_FIELDS, *(["host"] if request.user.is_superuser else []), *targets]
        return super().get_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        (name, options), *rest = fieldsets
        targets = [field for field in options["fields"] if field.startswith(TARGET_PREFIX)]
        main = {**options, "fields": [field for field in options["fields"] if field not in targets]}
        described = {
            "fields": targets,
            "description": "The targets of the template's KPIs, agreed by every company at kickoff. Left empty, a "
            "figure your goals state plainly (“200 registrations”) is taken.",
        }
        return [(name, main), ("KPI targets", described), *rest] if targets else [(name, main), *rest]

    def has_change_permission(self, request, obj=None):
        # A closed or cancelled campaign is a record of what happened: its form opens read-only, for everyone. Judged
        # by the status stored (a form being saved has already put its own into the row).
        stored = obj and (getattr(obj, "_stored_status", None) or obj.status)
        return super().has_change_permission(request, obj) and stored not in Campaign.CLOSED_STATUSES

    def response_add(self, request, obj, post_url_continue=None):
        """A new campaign opens on its home page (the list is one click away)."""
        response = super().response_add(request, obj, post_url_continue)
        if any(key in request.POST for key in ("_continue", "_addanother", "_popup")):
            return response
        return redirect("admin:campaigns_campaign_home", obj.pk)

    @admin.display(description="Taking part")
    def your_company(self, campaign: Campaign) -> str:
        # Inviting and handing over are the host's, offered on the home page to the host only.
        links = [
            ("Open the campaign's home page", reverse("admin:campaigns_campaign_home", args=[campaign.pk])),
            ("Leave this campaign", reverse("admin:campaigns_campaign_leave", args=[campaign.pk])),
        ]
        return format_html_join(" · ", '<a href="{1}">{0}</a>', links)

    @admin.display(description="Campaign", ordering="name")
    def home_link(self, campaign: Campaign) -> str:
        return format_html(
            '<a href="{}"><strong>{}</strong></a>',
            reverse("admin:campaigns_campaign_home", args=[campaign.pk]),
            campaign.name,
        )

    @admin.display(description="Companies")
    def companies(self, campaign: Campaign) -> str:
        return ", ".join(str(party) for party in campaign.parties.all())

    @admin.display(description="RACI matrix")
    def raci_matrix_link(self, campaign: Campaign) -> str:
        if not campaign.pk:
            return "Available once the campaign is saved."
        url = reverse("admin:campaigns_campaign_raci", args=[campaign.pk])
        return format_html('<a href="{}">Open the RACI matrix</a>', url)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if "status" in form.changed_data:
                services.campaign_status_changed(obj, request.user)
        else:
            services.campaign_create(user=request.user, campaign=obj, **form.create_options())

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/home/", view(self.home_view), name="campaigns_campaign_home"),
            path("<path:object_id>/first-hour/", view(self.first_hour_view), name="campaigns_campaign_first_hour"),
            path("<path:object_id>/raci/", view(self.raci_matrix_view), name="campaigns_campaign_raci"),
            path("<path:object_id>/results-report/", view(self.results_report_view), name="campaigns_campaign_report"),
            path("<path:object_id>/leave/", view(self.leave_view), name="campaigns_campaign_leave"),
            path("<path:object_id>/hand-over/", view(self.hand_over_view), name="campaigns_campaign_hand_over"),
            path("<path:object_id>/move-event/", view(self.move_event_view), name="campaigns_campaign_move_event"),
            path(
                "<path:object_id>/save-template/",
                view(self.save_template_view),
                name="campaigns_campaign_save_template",
            ),
            *super().get_urls(),
        ]

    def _confirm(self, request, campaign, *, title: str, text: str, button: str, choices=None, name_input=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": title,
            "text": text,
            "button": button,
            "choices": choices,
            "name_input": name_input,
        }
        return render(request, "admin/campaigns/campaign/confirm_action.html", context)

    def _done(self, request, action, success: str, campaign_pk):
        try:
            action()
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect("admin:campaigns_campaign_change", campaign_pk)
        messages.success(request, success)
        return redirect("admin:index")

    def leave_view(self, request, object_id):
        self._scoped_object_or_404(request, object_id)
        campaign = self.get_queryset(request).get(pk=object_id)
        party = Party.objects.filter(campaign=campaign, organization_id=organization_id_of(request.user)).first()
        if party is None:
            raise PermissionDenied("Only a company taking part in the campaign can leave it.")
        if request.method != "POST":
            return self._confirm(
                request,
                campaign,
                title=f"Leave “{campaign}”?",
                text=f"{party.organization} will no longer see or change this campaign. Its records stay as "
                "history, and the leads of every company are told.",
                button="Leave the campaign",
            )
        return self._done(
            request,
            lambda: invitation_services.party_end(party=party, user=request.user),
            f"{party.organization} left “{campaign}”.",
            campaign.pk,
        )

    def hand_over_view(self, request, object_id):
        self._scoped_object_or_404(request, object_id)
        campaign = self.get_queryset(request).get(pk=object_id)
        if not may(request.user, campaign, CHANGE):
            raise PermissionDenied("Only the host company hands its role over.")
        partners = Party.objects.filter(campaign=campaign, role=Party.Role.PARTNER).select_related("organization")
        if request.method != "POST":
            return self._confirm(
                request,
                campaign,
                title=f"Hand the host role of “{campaign}” over",
                text="The new host decides the campaign's name, dates and status and who takes part; your company "
                "stays on as a partner.",
                button="Make it the host",
                choices=[(party.pk, party.organization.name) for party in partners],
            )
        party = partners.filter(pk=request.POST.get("choice") or None).first()
        if party is None:
            messages.error(request, "Choose a partner company of this campaign.")
            return redirect("admin:campaigns_campaign_hand_over", campaign.pk)
        return self._done(
            request,
            lambda: invitation_services.host_hand_over(campaign=campaign, to=party, user=request.user),
            f"{party.organization} now hosts “{campaign}”.",
            campaign.pk,
        )

    def move_event_view(self, request, object_id):
        """Move the event date: a preview of every old and new due date, then one click applies exactly that."""
        self._scoped_object_or_404(request, object_id)
        campaign = self.get_queryset(request).get(pk=object_id)
        if not may(request.user, campaign, CHANGE):
            raise PermissionDenied("Only the host company moves the event date.")
        new_event = move = None
        if request.method == "POST":
            try:
                new_event = forms.DateField().clean(request.POST.get("event_date"))
                move = plan_move_services.event_move_preview(campaign=campaign, new_event=new_event)
                # Applied only as previewed: a date changed after the preview is previewed again first.
                if "apply" in request.POST and request.POST.get("previewed") == str(new_event):
                    plan_move_services.event_move(campaign=campaign, new_event=new_event, user=request.user)
                    messages.success(
                        request, f"The event is now on {new_event:%-d %b %Y}; {len(move.moves)} deliverable(s) moved."
                    )
                    return redirect("admin:campaigns_campaign_home", campaign.pk)
            except ValidationError as refused:
                messages.error(request, " ".join(refused.messages))
                move = None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": f"Move the event of “{campaign}”",
            "new_event": new_event or campaign.launch_date,
            "move": move,
        }
        return render(request, "admin/campaigns/campaign/move_event.html", context)

    def save_template_view(self, request, object_id):
        """Any company taking part keeps the plan (deliverables, offsets, roles, KPIs) as its own template."""
        self._scoped_object_or_404(request, object_id)
        campaign = self.get_queryset(request).get(pk=object_id)
        name = request.POST.get("name", "").strip()
        if request.method != "POST" or not name:
            if request.method == "POST":
                messages.error(request, "Name the template.")
            return self._confirm(
                request,
                campaign,
                title=f"Save the plan of “{campaign}” as a template",
                text="Its deliverables (due dates as business days from the launch date, channels, reviews), the "
                "roles for R and A, the KPIs and the weekly meeting become a template only your company sees.",
                button="Save the template",
                name_input=f"Plan of {campaign}"[:200],
            )
        try:
            template = plan_services.template_save_from_campaign(campaign=campaign, name=name, user=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect("admin:campaigns_campaign_save_template", campaign.pk)
        messages.success(request, f"Saved as the template “{template}”.")
        return redirect("admin:campaigns_campaigntemplate_change", template.pk)

    def home_view(self, request, object_id):
        """The campaign at a glance: health, team, deliverables, KPIs, meetings, reviews, kickoff; and the way
        into each part. Buttons appear only for what the user's company may do."""
        self._scoped_object_or_404(request, object_id)
        campaign = Campaign.objects.prefetch_related(selectors.parties_prefetch()).get(pk=object_id)
        user = request.user
        host = next((party for party in campaign.parties.all() if party.role == Party.Role.HOST), None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "campaign": campaign,
            "host": host,
            "title": campaign.name,
            "may_change": campaign.is_open and may(user, campaign, CHANGE),
            "panels": campaign_home.render(request, campaign=campaign),
            "links": campaign_links(campaign),
        }
        return render(request, "admin/campaigns/campaign/home.html", context)

    def first_hour_view(self, request, object_id):
        """What the campaign asks of the user's company, each step done in place (`campaigns.pages.first_hour`)."""
        campaign = self.row_for_action(request, object_id, "first_hour")

        def render_page(context: dict):
            title = f"Your first hour on “{campaign.name}”"
            frame = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title}
            return render(request, "admin/campaigns/campaign/first_hour.html", {**frame, **context})

        return first_hour_response(request, campaign, render_page)

    def results_report_view(self, request, object_id):
        """Ask for a fresh results report (built in the background; the leads are e-mailed when it is ready)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        campaign = Campaign.objects.get_for_user(request.user, object_id)
        with transaction.atomic():
            report = report_services.results_report_request(campaign=campaign, user=request.user)
            ensure_may(request.user, report, ADD)
        messages.success(request, "The results report is being built; it appears here in a moment.")
        return redirect("admin:campaigns_campaign_home", campaign.pk)

    def raci_matrix_view(self, request, object_id):
        self._scoped_object_or_404(request, object_id)
        campaign = self.get_queryset(request).get(pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": f"RACI matrix: {campaign}",
            "matrix": selectors.raci_matrix(campaign=campaign),
        }
        return render(request, "admin/campaigns/campaign/raci_matrix.html", context)


CAMPAIGN_CREATE_FIELDS = [
    "name",
    "template",
    "kind",
    "kickoff_date",
    "launch_date",
    "end_date",
    "goals",
    "partner",
    "invite_message",
    "decision_maker",
    "project_lead",
    "team",
]
TARGET_PREFIX = "target_"


def target_field(metric: Metric) -> str:
    return f"{TARGET_PREFIX}{metric.code}"


def target_metrics(request) -> list[Metric]:
    """The KPIs of the templates the user may plan from, each with `template_names` (read once per request)."""
    if not hasattr(request, "campaign_target_metrics"):
        links = (
            CampaignTemplate.kpi_metrics.through.objects.filter(
                campaigntemplate__in=CampaignTemplate.objects.for_user(request.user), metric__code__gt=""
            )
            .select_related("metric", "campaigntemplate")
            .order_by("metric__funnel_stage", "metric__name", "campaigntemplate__name")
        )
        metrics: dict[int, Metric] = {}
        for link in links:
            metric = metrics.setdefault(link.metric_id, link.metric)
            metric.template_names = [*getattr(metric, "template_names", []), link.campaigntemplate.name]
        request.campaign_target_metrics = list(metrics.values())
    return request.campaign_target_metrics


def campaign_create_form(request) -> type[forms.ModelForm]:
    """Name, kind (or a template), dates, the partner to invite, your own team with its decision maker and project
    lead, and the targets of the template's KPIs; your company hosts. Choices offer only what may be chosen, and a
    refusal is a form error (everything typed stays)."""
    user = request.user
    own_company = organization_id_of(user)
    partners = Organization.objects.selectable_as_partner(user).exclude(pk=own_company).order_by("name")
    people = Person.objects.for_user(user, CHANGE).select_related("organization").order_by("full_name")
    creator = person_of(user)
    metrics = target_metrics(request)

    class CampaignCreateForm(forms.ModelForm):
        partner = forms.ModelChoiceField(
            partners, required=False, help_text="The company to run it with; it joins once it accepts."
        )
        invite_message = forms.CharField(
            required=False,
            max_length=MESSAGE_MAX_CHARS,
            widget=forms.Textarea(attrs={"rows": 2}),
            label="Message to the partner",
        )
        team = forms.ModelMultipleChoiceField(
            people,
            required=False,
            help_text="People of your company on the team (you join it anyway).",
        )
        decision_maker = forms.ModelChoiceField(
            people,
            required=False,
            initial=creator,
            help_text="Your company's decision maker on this campaign (they join the team).",
        )
        project_lead = forms.ModelChoiceField(
            people,
            required=False,
            initial=creator,
            help_text="Your company's project lead, who drives the mutual goals (they join the team).",
        )
        host = forms.ModelChoiceField(Organization.objects.all(), required=user.is_superuser)
        template = forms.ModelChoiceField(
            CampaignTemplate.objects.for_user(user).select_related("organization"),
            required=False,
            help_text="Plan the whole campaign in one step: deliverables counted back from the launch (event) date, "
            "R and A from the stakeholder roles, KPIs and the weekly meeting. The kind comes from the template.",
        )

        class Meta:
            model = Campaign
            fields = ["name", "kind", "kickoff_date", "launch_date", "end_date", "goals"]

        def __init__(self, *args, **kwargs):
            kind_asked = "kind" in (kwargs.get("initial") or {})
            super().__init__(*args, **kwargs)
            if not user.is_superuser:
                del self.fields["host"]
            if not kind_asked:
                self.initial["kind"] = ""  # not the model's default: a template brings its own
            kind = self.fields["kind"]
            kind.required = False
            kind.choices = [("", "— the template's kind —"), *Campaign.Kind.choices]
            kind.help_text = "Comes from the template when you choose one; without a template, choose it."
            for metric in metrics:
                self.fields[target_field(metric)] = forms.DecimalField(
                    required=False,
                    min_value=0,
                    max_digits=16,
                    decimal_places=2,
                    label=f"{metric.name} target",
                    help_text=f"A KPI of: {', '.join(metric.template_names)}.",
                )

        def clean(self):
            data = super().clean()
            host = data.get("host") if user.is_superuser else None
            host_id = host.pk if host else own_company
            if host_id is None:
                raise ValidationError("Your login belongs to no company; ask the operator to link it.")
            if data.get("partner") and data["partner"].pk == host_id:
                self.add_error("partner", "Invite another company: this one hosts the campaign.")
            elif data.get("partner"):
                try:
                    invitation_services.ensure_within_invitation_limits(user=user, new_company=False)
                except LimitReached as reached:
                    self.add_error("partner", reached.message)
            template = data.get("template")
            if template is not None:
                data["kind"] = template.kind
            elif not data.get("kind"):
                self.add_error("kind", "Choose the kind of campaign, or a template (its kind comes with it).")
            measured = set(template.kpi_metrics.values_list("code", flat=True)) if template else set()
            for metric in metrics:
                if data.get(target_field(metric)) is not None and metric.code not in measured:
                    self.add_error(
                        target_field(metric),
                        f"{template} does not measure {metric.name}: leave it empty or choose a template that does."
                        if template
                        else "Targets are for the KPIs of a template: choose a template, or leave it empty.",
                    )
            if data.get("template") and not data.get("launch_date"):
                self.add_error("launch_date", "Give the event date: the template's plan is counted back from it.")
            elif data.get("template") and not within_planning_horizon(data["launch_date"], timezone.localdate()):
                self.add_error("launch_date", "Plan an event within three years of today.")
            strangers = [person.full_name for person in data.get("team", []) if person.organization_id != host_id]
            if strangers:
                self.add_error("team", f"Only people of the host company: {', '.join(strangers)}.")
            for role in ("decision_maker", "project_lead"):
                if data.get(role) and data[role].organization_id != host_id:
                    self.add_error(role, f"{data[role].full_name} is not a person of the host company.")
            return data

        def create_options(self) -> dict:
            data = self.cleaned_data
            roles = {"decision_maker": data.get("decision_maker"), "project_lead": data.get("project_lead")}
            if data.get("template"):
                targets = {
                    metric.code: data[target_field(metric)]
                    for metric in metrics
                    if data.get(target_field(metric)) is not None
                }
                return {
                    "template": data["template"],
                    "event_date": data["launch_date"],
                    "kpi_targets": targets,
                    **roles,
                    **self.invite_options(),
                }
            return {**roles, **self.invite_options()}

        def invite_options(self) -> dict:
            data = self.cleaned_data
            return {
                "partner": data.get("partner"),
                "team": data.get("team", []),
                "host": data.get("host"),
                "message": data.get("invite_message", ""),
            }

    return CampaignCreateForm


class RaciFormSet(forms.BaseInlineFormSet):
    """Gives a readable error before the database constraint would refuse a second Accountable."""

    def clean(self):
        super().clean()
        kept = [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        accountables = sum(1 for data in kept if data.get("role") == RaciAssignment.Role.ACCOUNTABLE)
        if accountables > 1:
            raise ValidationError(f"A deliverable has exactly one Accountable; {accountables} are marked.")
        if self.instance.pk:
            self.instance.ensure_keeps_a_responsible(data.get("role") for data in kept)


class RaciInline(CampaignChoicesMixin, ScopedTabularInline):
    model = RaciAssignment
    formset = RaciFormSet
    fields = ["member", "role"]
    verbose_name_plural = "RACI"


@admin.register(Deliverable)
class DeliverableAdmin(CommentThreadMixin, CampaignChoicesMixin, ScopedModelAdmin):
    list_display = ["title", "campaign", "type", "status", "due_date", "accountable", "channel_party"]
    list_filter = ["status", "type", "campaign"]
    search_fields = ["title", "campaign__name"]
    autocomplete_fields = ["campaign"]
    inlines = [RaciInline]
    readonly_fields = ["reviews"]

    def get_queryset(self, request):
        return selectors.with_list_columns(super().get_queryset(request))

    @admin.display(description="Sign-offs and legal reviews")
    def reviews(self, deliverable: Deliverable) -> str:
        rows = deliverable.signoff_requests.select_related("reviewer") if deliverable.pk else []
        lines = [
            (
                reverse("admin:campaigns_signoffrequest_change", args=[row.pk]),
                f"{row.get_kind_display()} by {row.reviewer.full_name}",
                row.status_label.lower(),
                f" (approved: {row.approved_summary})" if row.approved_summary else "",
            )
            for row in rows
        ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>: {}{}', lines) or "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.campaign_being_edited = obj.campaign if obj else None
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # A channel is one of the campaign's companies: chosen once the deliverable's campaign is saved.
        return readonly if obj is not None else [*readonly, "channel_party"]

    @admin.display(description="Accountable", ordering="accountable_name")
    def accountable(self, deliverable: Deliverable) -> str:
        return deliverable.accountable_name or "— missing —"


@admin.register(Party)
class PartyAdmin(ScopedModelAdmin):
    """A company's part in a campaign. Deleting it is the host removing a partner or a partner leaving."""

    in_index = False
    list_display = ["organization", "campaign", "role", "point_of_contact"]
    list_filter = ["role", "campaign"]
    list_select_related = ["organization", "campaign", "point_of_contact__organization"]
    search_fields = ["organization__name", "campaign__name"]
    fields = ["campaign", "organization", "role", "point_of_contact", "joined_at"]
    readonly_fields = ["joined_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.campaign_being_edited = obj.campaign if obj else None
        return super().get_form(request, obj, change, **kwargs)

    def delete_model(self, request, obj):
        invitation_services.party_end(party=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for party in queryset:
            invitation_services.party_end(party=party, user=request.user)


@admin.register(Member)
class MemberAdmin(ScopedModelAdmin):
    """Each company staffs its own side of a campaign team (on this page, or the host on the campaign's)."""

    in_index = False
    list_display = ["person", "campaign", *Member.ROLE_FIELDS]
    list_filter = ["campaign", *Member.ROLE_FIELDS]
    list_select_related = ["person__organization", "campaign"]
    search_fields = ["person__full_name", "campaign__name"]
    autocomplete_fields = ["campaign", "person"]


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(ScopedModelAdmin):
    in_index = False
    list_display = ["deliverable", "role", "member"]
    list_filter = ["role", "deliverable__campaign"]
    list_select_related = ["deliverable", "member__person__organization"]

    def has_add_permission(self, request):
        return False  # assignments are made on their deliverable's page
