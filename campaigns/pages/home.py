"""A campaign's home page: its state at a glance, and the way into every part of it.

The page is made of panels (`campaign_home`, a `partners.dashboard.Page`); other apps add theirs (meetings
adds the next meeting, the last decisions and open action items). Each panel reads a fixed number of rows
for the one campaign, so the page runs the same number of queries however many campaigns a user sees.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

from campaigns.models import (
    Campaign,
    Deliverable,
    Flag,
    Invitation,
    KpiRound,
    Member,
    Party,
    RaciAssignment,
    ResultsReport,
    SignoffRequest,
    ToolAccess,
)
from campaigns.models.flags import severity_rank
from campaigns.selectors.kickoff import (
    campaign_for_completeness,
    kickoff_completeness,
    questionnaire_of,
    tool_access_checklist,
)
from campaigns.selectors.kpis import agreed_terms_of, progress_percent, with_current_figure
from campaigns.selectors.results import kpi_results
from partners.dashboard import Page
from partners.scoping import organization_id_of
from utilities.charts import kpi_chart_svg

campaign_home = Page()
TOOL_LABELS = dict(ToolAccess.Tool.choices)
THIS_WEEK = datetime.timedelta(days=7)
LEAD_ROLES = {"is_decision_maker": "decision maker", "is_project_lead": "project lead"}


def elapsed_percent(campaign: Campaign, today: datetime.date) -> int | None:
    """How much of the campaign's time has passed (kickoff to end, or to launch), for pacing the KPIs."""
    start = campaign.kickoff_date or timezone.localdate(campaign.created_at)
    end = campaign.end_date or campaign.launch_date
    if end is None or end <= start:
        return None
    return max(0, min(100, (today - start).days * 100 // (end - start).days))


@campaign_home.panel("Health", "campaigns/home/health.html", order=10)
def health(request, campaign):
    flags = Flag.objects.open().filter(campaign=campaign).order_by(severity_rank(), "title", "subject")
    today = timezone.localdate()
    flags = list(flags.select_related("acknowledged_by"))
    # A flag acknowledged, or snoozed past today, leaves the warnings but stays in sight, with until when and why,
    # for every party: the decision is theirs to see, not a silent disappearance.
    set_aside = [flag for flag in flags if flag.state in ("acknowledged", "snoozed")]
    return {"flags": [flag for flag in flags if flag not in set_aside], "set_aside": set_aside, "today": today}


@dataclass(frozen=True)
class CompanyTeam:
    party: Party
    members: list[Member]
    gaps: list[str]


@campaign_home.panel("Team", "campaigns/home/team.html", order=20)
def team(request, campaign):
    parties = list(Party.objects.filter(campaign=campaign).select_related("organization", "point_of_contact"))
    members = Member.objects.filter(campaign=campaign).select_related("person__organization")
    by_company: dict[int, list[Member]] = {party.organization_id: [] for party in parties}
    for member in members:
        by_company.setdefault(member.person.organization_id, []).append(member)
    teams = []
    for party in sorted(parties, key=lambda p: (p.role != Party.Role.HOST, p.organization.name)):
        people = by_company[party.organization_id]
        gaps = [f"no {label}" for field, label in LEAD_ROLES.items() if not any(getattr(m, field) for m in people)]
        teams.append(CompanyTeam(party, people, gaps))
    # Companies invited and not answered yet, named as the host may know them (an invitation by e-mail shows the
    # name the host gave); the scoping rules say who sees an invitation.
    waiting = (
        Invitation.objects.for_user(request.user)
        .pending()
        .filter(campaign=campaign)
        .select_related("organization", "invited_by")
        .order_by("created_at", "pk")
    )
    return {"teams": teams, "invitations": list(waiting)}


@campaign_home.panel("Deliverables", "campaigns/home/deliverables.html", order=30)
def deliverables(request, campaign):
    today = timezone.localdate()
    rows = list(
        Deliverable.objects.filter(campaign=campaign)
        .exclude(status__in=Deliverable.DONE_STATUSES)
        .select_related("channel_party__organization")
        .prefetch_related(
            Prefetch(
                "raci",
                RaciAssignment.objects.filter(role__in=["R", "A"]).select_related("member__person"),
                to_attr="owners",
            ),
            Prefetch(
                "signoff_requests",
                SignoffRequest.objects.filter(status=SignoffRequest.Status.PENDING),
                to_attr="waiting",
            ),
        )
        .order_by("due_date", "pk")
    )
    buckets = {"Overdue": [], "This week": [], "Later": [], "No due date": []}
    for deliverable in rows:
        due = deliverable.due_date
        key = (
            "No due date"
            if due is None
            else "Overdue"
            if due < today
            else "This week"
            if due <= today + THIS_WEEK
            else "Later"
        )
        buckets[key].append(deliverable)
    return {"buckets": [(label, items) for label, items in buckets.items() if items], "today": today}


# The KPI chart, drawn on the server as SVG (no chart script, no CDN): a track per KPI, the target at 80 % of
# it so an overshoot shows, and a line for the share of the campaign's time that has passed (pacing).
CHART_LEFT, CHART_WIDTH, ROW_HEIGHT, TARGET_AT = 170, 400, 28, 80


@dataclass(frozen=True)
class KpiLine:
    name: str
    unit: str
    target: Decimal | None
    latest: Decimal | None
    progress: Decimal | None
    owner: str
    figure_source: str  # whose figures make it: "sum of the companies' figures" or "Company A's figure"
    changed_since: str  # "agreed 300, now 900, not re-agreed", or "" when it stands as agreed
    y: int

    @property
    def bar_px(self) -> int:
        if self.progress is None:
            return 0
        return int(min(self.progress, Decimal(125)) * TARGET_AT * CHART_WIDTH / 10000)

    def behind(self, pace_px: int | None) -> bool:
        return pace_px is not None and CHART_LEFT + self.bar_px < pace_px


@campaign_home.panel("KPIs", "campaigns/home/kpis.html", order=40)
def kpis(request, campaign):
    today = timezone.localdate()
    kpis = list(with_current_figure(campaign.kpis.all()).order_by("metric__name"))
    terms = agreed_terms_of(kpis)
    lines = [
        KpiLine(
            name=kpi.metric.name,
            unit=kpi.metric.get_unit_display(),
            target=kpi.target,
            latest=kpi.figure,
            progress=progress_percent(kpi.target, kpi.figure),
            owner=kpi.owner.name,
            figure_source=kpi.figure_source,
            changed_since=terms[kpi.pk].changed_since,
            y=index * ROW_HEIGHT,
        )
        for index, kpi in enumerate(kpis)
    ]
    elapsed = elapsed_percent(campaign, today)
    current_round = (
        KpiRound.objects.current().filter(campaign=campaign).prefetch_related("agreements__organization").first()
    )
    pace_px = None if elapsed is None else CHART_LEFT + elapsed * TARGET_AT * CHART_WIDTH // 10000
    return {
        "lines": [(line, line.behind(pace_px)) for line in lines],
        "elapsed": elapsed,
        "pace_px": pace_px,
        "target_px": CHART_LEFT + TARGET_AT * CHART_WIDTH // 100,
        "chart_left": CHART_LEFT,
        "chart_width": CHART_WIDTH,
        "chart_height": ROW_HEIGHT * len(lines) + 24,
        "round": current_round,
    }


@campaign_home.panel("Sign-offs and legal reviews", "campaigns/home/signoffs.html", order=60)
def signoffs(request, campaign):
    waiting = SignoffRequest.objects.filter(
        deliverable__campaign=campaign,
        status__in=[SignoffRequest.Status.PENDING, SignoffRequest.Status.CHANGES_REQUESTED],
    ).select_related("deliverable", "reviewer__organization")
    rows = list(waiting.order_by("due_date", "pk"))
    return {"rows": rows, "today": timezone.localdate()} if rows else None


@campaign_home.panel("Kickoff and reporting plan", "campaigns/home/kickoff.html", order=70)
def kickoff(request, campaign):
    full = campaign_for_completeness(campaign.pk)
    try:
        plan = full.reporting_plan
    except ObjectDoesNotExist:
        plan = None
    completeness = kickoff_completeness(full)
    organization_id = organization_id_of(request.user)
    own_part = next((part for part in full.kickoff_parts.all() if part.organization_id == organization_id), None)
    return {
        "completeness": completeness,
        "plan": plan,
        "questionnaire": questionnaire_of(full),
        "own_part": own_part,
        "takes_part": any(party.organization_id == organization_id for party in full.parties.all()),
        "own_unanswered": completeness.unanswered_of(organization_id) if organization_id else [],
        "own_tool_access": [
            (line.member, [(tool, TOOL_LABELS.get(tool, tool), has) for tool, has in line.access.items()])
            for line in tool_access_checklist(campaign)
            if line.member.person.organization_id == organization_id and line.access
        ],
    }


def campaign_links(campaign: Campaign) -> list[tuple[str, str]]:
    """Every part of a campaign, from its home page (the kickoff questionnaire and reporting plan are linked
    from their panel; other apps add theirs with `campaign_home.link`)."""
    changelist = "admin:campaigns_{}_changelist"
    by_campaign = f"?campaign__id__exact={campaign.pk}"
    links = [
        ("Campaign details", reverse("admin:campaigns_campaign_change", args=[campaign.pk])),
        ("KPIs", reverse(changelist.format("campaignkpi")) + by_campaign),
        ("Brand assets", reverse(changelist.format("brandasset")) + by_campaign),
        ("RACI matrix", reverse("admin:campaigns_campaign_raci", args=[campaign.pk])),
        ("History", reverse("admin:campaigns_campaign_history", args=[campaign.pk])),
        ("KPI figures (CSV)", reverse("campaigns:kpi-export", args=[campaign.pk])),
    ]
    return links + [(label, build(campaign)) for label, build in campaign_home.links]


@campaign_home.panel("KPIs over time", "campaigns/home/kpi_charts.html", order=45)
def kpi_charts(request, campaign):
    charts = [kpi_chart_svg(result.series) for result in kpi_results(campaign) if result.series.by_company]
    return {"charts": charts} if charts else None


def report_downloads(report: ResultsReport) -> str:
    """The PDF and CSV links of a built report, or its state."""
    if report.status != ResultsReport.Status.READY:
        return report.get_status_display()
    links = [(kind.upper(), reverse("campaigns:results-report", args=[report.pk, kind])) for kind in ("pdf", "csv")]
    return format_html_join(" · ", '<a href="{1}">{0}</a>', links)


@campaign_home.panel("Results report", "campaigns/home/results.html", order=80)
def results(request, campaign):
    reports = list(ResultsReport.objects.filter(campaign=campaign)[:3])
    # A closed campaign is read for what it achieved: its report leads the page.
    return {"reports": [(report, report_downloads(report)) for report in reports], "lead": not campaign.is_open}
