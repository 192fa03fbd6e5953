from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from campaigns.admin.comments import CommentThreadMixin
from campaigns.admin.core import CampaignChoicesMixin
from campaigns.models import (
    AgreedKpiTarget,
    BrandAsset,
    Campaign,
    CampaignKpi,
    CompanyWord,
    Deliverable,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiAgreement,
    KpiMeasurement,
    KpiRound,
    LeadStatusMapping,
    Member,
    Metric,
    ProductionMilestone,
    ReportingPlan,
    ReportingPlanReporter,
    SignoffApprover,
    SignoffRequest,
    ToolAccess,
)
from campaigns.selectors.kickoff import completeness_prefetch, kickoff_completeness, tool_access_checklist
from campaigns.selectors.kpis import has_reporting_plan, progress_percent, with_current_figure
from campaigns.services import kickoff as kickoff_services
from campaigns.services import kpis as kpi_services
from campaigns.services import signoffs as signoff_services
from partners.scoping import ADD, CHANGE, ensure_may, organization_id_of, refusal_to
from partners.scoping.admin import ScopedModelAdmin, ScopedTabularInline
from partners.services import person_of


def _report_errors(request, action, rows) -> None:
    """Run `action(row)` for each selected row; refused rows are reported, the others done."""
    for row in rows:
        try:
            action(row)
        except ValidationError as error:
            messages.error(request, f"{row}: {' '.join(error.messages)}")
        except PermissionDenied as refused:
            messages.error(request, f"{row}: {refused}")
        else:
            messages.success(request, f"{row}: done.")


class MilestoneInline(ScopedTabularInline):
    model = ProductionMilestone
    fields = ["title", "due_date"]


class SignoffApproverInline(CampaignChoicesMixin, ScopedTabularInline):
    model = SignoffApprover
    fields = ["deliverable_type", "member"]
    verbose_name_plural = "Who signs off deliverables (besides each deliverable's Accountable)"


@admin.register(KickoffQuestionnaire)
class KickoffQuestionnaireAdmin(ScopedModelAdmin):
    list_display = ["campaign", "completeness", "meeting_cadence", "updated_at"]
    list_filter = ["meeting_cadence"]
    search_fields = ["campaign__name"]
    readonly_fields = ["completeness", "unanswered_questions", "company_parts", "tool_access"]
    fieldsets = [
        (None, {"fields": ["campaign", "completeness", "unanswered_questions", "company_parts"]}),
        ("What will the production process look like?", {"fields": ["production_process"]}),
        (
            "Which tools for video meetings, file sharing and file reviews? Does everyone have access?",
            {
                "fields": [
                    ("video_meeting_tool", "video_meeting_link"),
                    ("file_sharing_tool", "file_sharing_link"),
                    ("file_review_tool", "file_review_link"),
                    "tool_access",
                ]
            },
        ),
        ("What is the meeting cadence?", {"fields": ["meeting_cadence"]}),
    ]
    inlines = [MilestoneInline, SignoffApproverInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("campaign")
            .prefetch_related(*completeness_prefetch("campaign"))
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "campaign"] if obj else readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        request.campaign_being_edited = obj.campaign if obj else None
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="Answered")
    def completeness(self, questionnaire: KickoffQuestionnaire) -> str:
        if not questionnaire.pk:
            return "—"
        result = kickoff_completeness(questionnaire.campaign)
        return f"{result.percent} % ({result.answered} of {result.total})"

    @admin.display(description="Not answered yet")
    def unanswered_questions(self, questionnaire: KickoffQuestionnaire) -> str:
        if not questionnaire.pk:
            return "—"
        unanswered = kickoff_completeness(questionnaire.campaign).unanswered
        return format_html_join("", "<div>{}</div>", ((name,) for name in unanswered)) or "Nothing: complete."

    @admin.display(description="Each company's part")
    def company_parts(self, questionnaire: KickoffQuestionnaire) -> str:
        if not questionnaire.pk:
            return "—"
        url = reverse("admin:campaigns_kickoffcompanypart_changelist")
        done = {part.organization_id: part for part in questionnaire.campaign.kickoff_parts.all()}
        rows = [
            (
                party.organization.name,
                "complete"
                if done.get(party.organization_id) and done[party.organization_id].completed_at
                else "not complete",
            )
            for party in questionnaire.campaign.parties.all()
        ]
        return format_html(
            '{}<div><a href="{}?campaign__id__exact={}">Open the companies\' answers</a></div>',
            format_html_join("", "<div>{}: {}</div>", rows),
            url,
            questionnaire.campaign_id,
        )

    @admin.display(description="Tool-access checklist")
    def tool_access(self, questionnaire: KickoffQuestionnaire) -> str:
        if not questionnaire.pk:
            return "—"
        labels = {True: "has access", False: "NO access", None: "not confirmed"}
        lines = tool_access_checklist(questionnaire.campaign)
        rows = [
            (line.member.person, "; ".join(f"{ToolAccess.Tool(t).label}: {labels[v]}" for t, v in line.access.items()))
            for line in lines
        ]
        return format_html_join("", "<div>{}: {}</div>", rows) or "No team members yet."


@admin.register(KickoffCompanyPart)
class KickoffCompanyPartAdmin(ScopedModelAdmin):
    in_index = False
    list_display = ["organization", "campaign", "has_legal_review", "legal_reviewer", "completed_at"]
    list_filter = ["campaign", "organization"]
    list_select_related = ["organization", "campaign", "legal_reviewer__organization"]
    readonly_fields = ["completed_at", "completed_by"]
    fieldsets = [
        (None, {"fields": ["campaign", "organization", ("completed_at", "completed_by")]}),
        (
            "Who needs to sign off? Is there a legal reviewer? How long will legal review take?",
            {"fields": ["has_legal_review", "legal_reviewer", "legal_turnaround_business_days"]},
        ),
        ("Brand guidelines, logo files and templates", {"fields": ["no_brand_assets"]}),
        (
            "Processes and lead times (business days)",
            {"fields": [(f"{prefix}_process", f"{prefix}_lead_days") for prefix in KickoffCompanyPart.PROCESSES]},
        ),
    ]
    actions = ["mark_complete"]

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request)
        if db_field.name == "legal_reviewer" and not request.user.is_superuser:
            queryset = queryset.filter(organization_id=organization_id_of(request.user))
        return queryset

    def get_urls(self):
        view = self.admin_site.admin_view(self.complete_view)
        return [
            path("<int:object_id>/complete/", view, name="campaigns_kickoffcompanypart_complete"),
            *super().get_urls(),
        ]

    def complete_view(self, request, object_id):
        """The button on the campaign's home page: my company's part of the kickoff is complete."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        part = KickoffCompanyPart.objects.get_for_user(request.user, object_id)
        ensure_may(request.user, part, "complete")
        try:
            kickoff_services.kickoff_part_mark_complete(part=part, person=person_of(request.user))
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"{part.organization}'s part of the kickoff is complete.")
        return redirect("admin:campaigns_campaign_home", part.campaign_id)

    @admin.action(description="Mark our company's part complete")
    def mark_complete(self, request, queryset):
        person = person_of(request.user)
        _report_errors(
            request, lambda part: kickoff_services.kickoff_part_mark_complete(part=part, person=person), queryset
        )


@admin.register(ToolAccess)
class ToolAccessAdmin(ScopedModelAdmin):
    in_index = False
    list_display = ["member", "campaign", "tool", "has_access", "confirmed_by", "confirmed_at"]
    list_filter = ["tool", "has_access", "member__campaign"]
    list_select_related = ["member__person__organization", "member__campaign", "confirmed_by__organization"]
    fields = ["member", "tool", "has_access"]

    @admin.display(description="Campaign")
    def campaign(self, access: ToolAccess):
        return access.member.campaign

    def get_urls(self):
        confirm = path("confirm/", self.admin_site.admin_view(self.confirm_view), name="campaigns_toolaccess_confirm")
        return [confirm, *super().get_urls()]

    def confirm_view(self, request):
        """The buttons on the campaign's home page: one of my company's people has, or lacks, a tool."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member = Member.objects.get_for_user(request.user, request.POST.get("member"))
        tool = request.POST.get("tool", "")
        try:
            with transaction.atomic():
                access = kickoff_services.tool_access_confirm(
                    member=member,
                    tool=tool,
                    has_access=request.POST.get("has_access") == "yes",
                    person=person_of(request.user),
                )
                ensure_may(request.user, access, CHANGE)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        return redirect("admin:campaigns_campaign_home", member.campaign_id)

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request).select_related("person", "campaign")
        if db_field.name == "member" and not request.user.is_superuser:
            queryset = queryset.filter(person__organization_id=organization_id_of(request.user))
        return queryset


@admin.register(BrandAsset)
class BrandAssetAdmin(ScopedModelAdmin):
    list_display = ["title", "campaign", "organization", "kind", "download"]
    list_filter = ["kind", "campaign", "organization"]
    list_select_related = ["campaign", "organization"]
    search_fields = ["title"]
    fields = ["campaign", "organization", "kind", "title", "file", "link", "download", "original_name", "uploaded_by"]
    readonly_fields = ["download", "original_name", "uploaded_by"]

    @admin.display(description="File")
    def download(self, asset: BrandAsset) -> str:
        if not asset.pk or not asset.file:
            return "—"
        return format_html('<a href="{}">Download</a>', reverse("campaigns:brand-asset-download", args=[asset.pk]))


@admin.register(SignoffRequest)
class SignoffRequestAdmin(ScopedModelAdmin):
    list_display = ["deliverable", "campaign", "kind", "reviewer", "status_column", "due_date"]
    list_filter = ["status", "kind", "deliverable__campaign"]
    list_select_related = ["deliverable__campaign", "reviewer__organization"]
    fields = [
        "deliverable",
        "kind",
        "reviewer",
        "due_date",
        "requested_at",
        "content_to_review",
        "status",
        "comment",
        "decided_at",
        "what_was_approved",
        "content_changed_at",
    ]
    readonly_fields = [
        "deliverable",
        "kind",
        "reviewer",
        "due_date",
        "requested_at",
        "content_to_review",
        "decided_at",
        "what_was_approved",
        "content_changed_at",
    ]
    actions = ["ask_again"]
    change_action = "decide"

    @admin.display(description="Campaign")
    def campaign(self, request: SignoffRequest):
        return request.deliverable.campaign

    @admin.display(description="Status", ordering="status")
    def status_column(self, request: SignoffRequest) -> str:
        return request.status_label

    @admin.display(description="Content to review")
    def content_to_review(self, request: SignoffRequest) -> str:
        return Deliverable.describe_content(request.deliverable.reviewed_content())

    @admin.display(description="Approved")
    def what_was_approved(self, request: SignoffRequest) -> str:
        if not request.approved_content:
            return "—"
        changes = request.changes_since_approval()
        summary = request.approved_summary
        return f"{summary} (changed since: {'; '.join(changes)})" if changes else summary

    def has_add_permission(self, request):
        return False  # requests are made when a deliverable that needs them goes into review

    def has_change_permission(self, request, obj=None):
        # The reviewer's company may decide; of its people, only the named reviewer does (a sign-off is
        # personal). Everybody else sees the request read-only.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.reviewer.user_id == request.user.pk)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [
                (value, label)
                for value, label in SignoffRequest.Status.choices
                if value != SignoffRequest.Status.PENDING
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        signoff_services.signoff_decide(request=obj, user=request.user, status=obj.status, comment=obj.comment)

    @admin.action(description="Ask again (the requested changes were made)")
    def ask_again(self, request, queryset):
        _report_errors(request, lambda row: signoff_services.signoff_request_reopen(request=row), queryset)


@admin.register(Metric)
class MetricAdmin(ScopedModelAdmin):
    in_index = False
    list_display = ["name", "unit", "funnel_stage", "campaign"]
    list_filter = ["funnel_stage", "unit"]
    list_select_related = ["campaign"]
    search_fields = ["name"]


@admin.register(CampaignKpi)
class CampaignKpiAdmin(CommentThreadMixin, ScopedModelAdmin):
    list_display = [
        "metric",
        "campaign",
        "target_column",
        "owner",
        "combination",
        "latest",
        "progress",
        "reporting_frequency",
    ]
    list_filter = ["campaign", "metric__funnel_stage"]
    fields = [
        "campaign",
        "metric",
        "target",
        "currency",
        "owner",
        "combination",
        "data_source",
        "reporting_frequency",
        "discussion",
    ]

    def get_queryset(self, request):
        return with_current_figure(super().get_queryset(request))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "combination":
            usual = "As usual for the metric (counts and money summed, percentages the owner's)"
            kwargs["choices"] = [("", usual), *db_field.choices]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description="Target")
    def target_column(self, kpi: CampaignKpi) -> str:
        return kpi.target_display

    @admin.display(description="Figure", ordering="figure")
    def latest(self, kpi: CampaignKpi) -> str:
        return "—" if kpi.figure is None else f"{kpi.figure.normalize():f} ({kpi.figure_as_of})"

    @admin.display(description="Progress")
    def progress(self, kpi: CampaignKpi) -> str:
        percent = progress_percent(kpi.target, kpi.figure)
        return "—" if percent is None else f"{percent} %"

    def save_model(self, request, obj, form, change):
        kpi_services.kpi_save(kpi=obj)

    def delete_model(self, request, obj):
        kpi_services.kpi_delete(kpi=obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (
            obj is None
            or not KpiRound.objects.current().filter(campaign_id=obj.campaign_id, locked_at__isnull=False).exists()
        )

    def delete_queryset(self, request, queryset):
        _report_errors(request, lambda kpi: kpi_services.kpi_delete(kpi=kpi), queryset)


class KpiAgreementInline(ScopedTabularInline):
    model = KpiAgreement
    fields = ["organization", "agreed_by", "statement", "agreed_at"]
    readonly_fields = fields

    @admin.display(description="Whose word")
    def statement(self, agreement: KpiAgreement) -> str:
        return agreement.statement

    def has_add_permission(self, request, obj=None):
        return False  # companies agree with the "agree" action


class AgreedTargetInline(ScopedTabularInline):
    model = AgreedKpiTarget
    fields = ["metric", "target", "currency", "combination"]
    readonly_fields = fields
    verbose_name_plural = "Targets agreed by every company in this round"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(KpiRound)
class KpiRoundAdmin(ScopedModelAdmin):
    list_display = ["campaign", "number", "state", "agreed_by", "started_at", "locked_at"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    fields = ["campaign", "number", "reason", "started_at", "locked_at", "superseded_at"]
    readonly_fields = ["campaign", "number", "started_at", "locked_at", "superseded_at"]
    inlines = [KpiAgreementInline, AgreedTargetInline]
    actions = ["agree", "start_new_round"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("agreements", KpiAgreement.objects.select_related("organization")))
        )

    def has_add_permission(self, request):
        return False  # the first round opens with the first KPI; later ones with "start a new agreement round"

    @admin.display(description="State")
    def state(self, round_: KpiRound) -> str:
        if round_.superseded_at:
            return "superseded"
        return "locked (agreed by every company)" if round_.is_locked else "open"

    @admin.display(description="Agreed by")
    def agreed_by(self, round_: KpiRound) -> str:
        return ", ".join(agreement.organization.name for agreement in round_.agreements.all()) or "nobody yet"

    def get_urls(self):
        agree = path(
            "<int:object_id>/agree/", self.admin_site.admin_view(self.agree_view), name="campaigns_kpiround_agree"
        )
        return [agree, *super().get_urls()]

    def agree_view(self, request, object_id):
        """The KPI set being agreed, with its targets, and two buttons: agree for my company, or ask for a change
        (a locked set reopens in a new round, with the reason)."""
        round_ = KpiRound.objects.get_for_user(request.user, object_id)
        campaign = round_.campaign
        person = person_of(request.user)
        if request.method == "POST":
            try:
                if request.POST.get("answer") == "change":
                    ensure_may(request.user, round_, ADD)
                    reason = request.POST.get("reason", "")[:1000]
                    kpi_services.kpi_round_start(campaign=campaign, user=request.user, reason=reason)
                    messages.success(request, "A new round is open: change the KPIs, then every company agrees again.")
                else:
                    ensure_may(request.user, round_, "agree")
                    organization = person.organization if person else None
                    agreement = kpi_services.kpi_agree(campaign=campaign, organization=organization, person=person)
                    messages.success(request, f"{agreement.statement}.")
            except ValidationError as refused:
                messages.error(request, " ".join(refused.messages))
            except PermissionDenied as refused:
                messages.error(request, str(refused))
            return redirect("admin:campaigns_campaign_home", campaign.pk)
        agreements = round_.agreements.select_related("organization", "agreed_by")
        agreed = {agreement.organization_id: agreement for agreement in agreements}
        still_to_agree = person is not None and person.organization_id not in agreed and not round_.is_locked
        refused = refusal_to(request.user, round_, "agree") if still_to_agree else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round_,
            "title": f"KPIs of “{campaign}”: round {round_.number}",
            "campaign": campaign,
            "round": round_,
            "kpis": campaign.kpis.select_related("metric", "owner").order_by("metric__name"),
            "agreements": list(agreed.values()),
            "waiting": [
                CompanyWord.of(campaign.pk, party.organization)
                for party in campaign.parties.select_related("organization")
                if party.organization_id not in agreed
            ],
            "may_agree": still_to_agree and refused is None,
            "refusal": refused,
        }
        return render(request, "admin/campaigns/kpiround/agree.html", context)

    @admin.action(description="Agree to these KPIs for my company")
    def agree(self, request, queryset):
        person = person_of(request.user)
        if person is None:
            messages.error(request, "Only a person of a company can agree on its behalf.")
            return

        def agree_to(round_: KpiRound) -> None:
            ensure_may(request.user, round_, "agree")
            kpi_services.kpi_agree(campaign=round_.campaign, organization=person.organization, person=person)

        _report_errors(request, agree_to, queryset)

    @admin.action(description="Start a new agreement round (to change locked KPIs)")
    def start_new_round(self, request, queryset):
        _report_errors(
            request, lambda round_: kpi_services.kpi_round_start(campaign=round_.campaign, user=request.user), queryset
        )


class KpiMeasurementForm(forms.ModelForm):
    def _get_validation_exclusions(self):
        # The company (set from the reporter) is not typed, but a changed figure must not take the period of
        # another of its figures. A new one may: it replaces that figure (kpi_services.kpi_figure_record).
        exclusions = super()._get_validation_exclusions()
        return exclusions if self.instance._state.adding else exclusions - {"organization"}


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(ScopedModelAdmin):
    form = KpiMeasurementForm
    list_display = ["kpi", "campaign", "period_start", "period_end", "value", "organization", "reported_by"]
    list_filter = ["campaign"]
    list_select_related = ["kpi__metric", "campaign", "organization", "reported_by__organization"]
    fields = ["campaign", "kpi", "period_start", "period_end", "value", "reported_by", "note"]

    def scoped_choices(self, db_field, request):
        queryset = super().scoped_choices(db_field, request)
        return queryset.select_related("metric") if db_field.name == "kpi" else queryset

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj._history_user = request.user
        obj.replaced_figure = kpi_services.kpi_figure_record(measurement=obj)
        ensure_may(request.user, obj, ADD)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        replaced = getattr(obj, "replaced_figure", None)
        if replaced is None:
            return super().response_add(request, obj, post_url_continue)
        when = timezone.localtime(replaced.reported_at)
        self.message_user(
            request,
            f"{obj.kpi.metric.name}, {obj.period_start:%d %b} – {obj.period_end:%d %b %Y}: replaced the figure of "
            f"{when:%d %b %Y} (was {replaced.value.normalize():f}) with {obj.value.normalize():f}.",
            messages.SUCCESS,
        )
        return redirect("admin:campaigns_kpimeasurement_change", obj.pk)


class ReporterInline(ScopedTabularInline):
    model = ReportingPlanReporter
    fields = ["organization", "reporter"]
    verbose_name_plural = "Who reports for each company"


class LeadStatusInline(ScopedTabularInline):
    model = LeadStatusMapping
    fields = ["organization", "crm_status", "shared_stage"]
    verbose_name_plural = "Lead-status mapping: each company's CRM status → the shared stage"


@admin.register(ReportingPlan)
class ReportingPlanAdmin(ScopedModelAdmin):
    list_display = ["campaign", "frequency", "method", "first_report_date", "complete"]
    list_filter = ["frequency", "method"]
    list_select_related = ["campaign"]
    fields = ["campaign", "frequency", "method", "dashboard_link", "first_report_date", "notes"]
    inlines = [ReporterInline, LeadStatusInline]

    def get_queryset(self, request):
        complete = Campaign.objects.filter(pk=OuterRef("campaign_id")).filter(has_reporting_plan())
        return super().get_queryset(request).annotate(is_complete=Exists(complete))

    @admin.display(description="Complete", boolean=True, ordering="is_complete")
    def complete(self, plan: ReportingPlan) -> bool:
        return plan.is_complete
