"""What a campaign asks of one company in its first hour: its roles named on its side of the team, its kickoff
answers (legal review and brand assets, processes and lead times), its people's access to the shared tools, and
its word on the KPIs. Read for one campaign in a fixed number of queries, however large its team or the number of
campaigns the company takes part in."""

import hashlib
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from campaigns.models import (
    Campaign,
    CampaignKpi,
    CompanyWord,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiAgreement,
    KpiRound,
    Member,
    ToolAccess,
)
from campaigns.selectors.kickoff import campaign_for_completeness, kickoff_completeness, questionnaire_of
from partners.models import Organization, Person

TOOL_LABELS = dict(ToolAccess.Tool.choices)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    open_questions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ToolLine:
    member: Member
    # (tool, its label, has access: True, False or None when not confirmed yet, the stored line's version or None)
    tools: list[tuple[str, str, bool | None, int | None]]


@dataclass(frozen=True)
class FirstHour:
    campaign: Campaign
    organization: Organization
    members: list[Member]  # the company's side of the team
    part: KickoffCompanyPart | None
    questionnaire: KickoffQuestionnaire | None
    tool_lines: list[ToolLine]
    kpis: list[CampaignKpi]
    round: KpiRound | None
    agreement: KpiAgreement | None
    word: CompanyWord
    steps: list[Step]

    @property
    def people(self) -> QuerySet:
        """The company's active people, who may be named to a role (read only by the forms that offer them: a
        hub has thousands)."""
        return Person.objects.filter(organization=self.organization, is_active=True).order_by("full_name", "pk")

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def is_complete(self) -> bool:
        return self.done_count == len(self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)

    @property
    def kpi_fingerprint(self) -> str:
        return kpi_fingerprint(self.kpis)


def kpi_fingerprint(kpis: list[CampaignKpi]) -> str:
    """The KPI set as shown (each KPI's target): an agreement is given to what its company saw, not to a set
    changed in between."""
    shown = ";".join(f"{kpi.pk}={kpi.target}{kpi.currency}" for kpi in sorted(kpis, key=lambda kpi: kpi.pk))
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def current_kpis(campaign: Campaign) -> list[CampaignKpi]:
    return list(campaign.kpis.select_related("metric", "owner").order_by("metric__name", "pk"))


def first_hour_of(campaign: Campaign, organization: Organization) -> FirstHour:
    """The first hour of `organization` (a party of `campaign`), each step done or not."""
    full = campaign_for_completeness(campaign.pk)
    completeness = kickoff_completeness(full)
    members = [member for member in full.members.all() if member.person.organization_id == organization.pk]
    questionnaire = questionnaire_of(full)
    tools = questionnaire.named_tools() if questionnaire else []
    tool_lines = []
    for member in members:
        stored = {access.tool: access for access in member.tool_access.all()}
        tool_lines.append(
            ToolLine(
                member,
                [
                    (
                        tool,
                        TOOL_LABELS.get(tool, tool),
                        stored[tool].has_access if tool in stored else None,
                        stored[tool].version if tool in stored else None,
                    )
                    for tool in tools
                ],
            )
        )
    kpis = current_kpis(campaign)
    current_round = (
        KpiRound.objects.current()
        .filter(campaign=campaign)
        .prefetch_related(Prefetch("agreements", KpiAgreement.objects.select_related("agreed_by", "organization")))
        .first()
    )
    agreement = next(
        (a for a in (current_round.agreements.all() if current_round else []) if a.organization_id == organization.pk),
        None,
    )
    part = next((part for part in full.kickoff_parts.all() if part.organization_id == organization.pk), None)
    unheld = [label for name, label in Member.ROLE_FIELDS.items() if not any(getattr(m, name) for m in members)]
    legal = completeness.unanswered_of(organization.pk, ("legal", "brand"))
    processes = completeness.unanswered_of(organization.pk, ("processes",))
    unconfirmed = [
        f"{line.member.person.full_name}: {label}"
        for line in tool_lines
        for _, label, has, _ in line.tools
        if has is None
    ]
    agreed = agreement is not None or (current_round is not None and current_round.is_locked)
    steps = [
        Step("roles", "Name your company's roles on the team", not unheld, unheld),
        Step("legal", "Legal review and brand assets", not legal, legal),
        Step("processes", "Your processes and lead times", not processes, processes),
        Step("tools", "Your team's access to the shared tools", not unconfirmed, unconfirmed),
        Step("kpis", "Agree to the KPIs for your company", agreed, [] if agreed else ["Your company's agreement"]),
    ]
    return FirstHour(
        campaign=campaign,
        organization=organization,
        members=members,
        part=part,
        questionnaire=questionnaire,
        tool_lines=tool_lines,
        kpis=kpis,
        round=current_round,
        agreement=agreement,
        word=CompanyWord.from_members(organization, members),
        steps=steps,
    )
