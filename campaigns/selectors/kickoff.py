"""Reads of the kickoff questionnaire: completeness (questions by name) and the tool-access checklist.

Everything here works from a campaign's related rows through `.all()`, so a list that prefetches
`COMPLETENESS_PREFETCH` computes every row's completeness without a query per campaign.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from campaigns.models import (
    BrandAsset,
    Campaign,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    Member,
    Party,
    ToolAccess,
)


@dataclass(frozen=True)
class Question:
    name: str
    answered: bool
    organization_id: int | None = None  # the company whose part this question is; None for campaign-wide ones
    topic: str = ""  # of a company's questions: "legal", "brand" or "processes" (the first hour groups them so)


@dataclass(frozen=True)
class Completeness:
    questions: list[Question]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def answered(self) -> int:
        return sum(1 for question in self.questions if question.answered)

    @property
    def percent(self) -> int:
        return self.answered * 100 // self.total if self.total else 0

    @property
    def unanswered(self) -> list[str]:
        return [question.name for question in self.questions if not question.answered]

    def unanswered_of(self, organization_id: int, topics: tuple[str, ...] = ()) -> list[str]:
        """The company's open questions (of `topics` only, when given)."""
        return [
            q.name
            for q in self.questions
            if q.organization_id == organization_id and not q.answered and (not topics or q.topic in topics)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "answered": self.answered, "total": self.total, "unanswered": self.unanswered}


# Everything `kickoff_completeness` reads, relative to a campaign.
COMPLETENESS_PREFETCH = (
    Prefetch("parties", Party.objects.select_related("organization")),
    Prefetch("members", Member.objects.select_related("person__organization").prefetch_related("tool_access")),
    "kickoff_questionnaire__milestones",
    "kickoff_questionnaire__approvers",
    Prefetch("kickoff_parts", KickoffCompanyPart.objects.all()),
    Prefetch("brand_assets", BrandAsset.objects.only("pk", "campaign_id", "organization_id")),
    "kpis",
    "reporting_plan",
)


def questionnaire_of(campaign: Campaign) -> KickoffQuestionnaire | None:
    try:
        return campaign.kickoff_questionnaire
    except ObjectDoesNotExist:
        return None


def _reporting_plan_of(campaign: Campaign):
    try:
        return campaign.reporting_plan
    except ObjectDoesNotExist:
        return None


def _campaign_questions(campaign: Campaign, questionnaire: KickoffQuestionnaire | None) -> list[Question]:
    # Not tied to the campaign: an unsaved questionnaire set on it would pass for its own (a link to ".../None/").
    answers = questionnaire or KickoffQuestionnaire(meeting_cadence="")
    milestones = list(questionnaire.milestones.all()) if questionnaire else []
    approvers = list(questionnaire.approvers.all()) if questionnaire else []
    tools = answers.named_tools()
    members = list(campaign.members.all())
    confirmed = {(member.pk, access.tool) for member in members for access in member.tool_access.all()}
    plan = _reporting_plan_of(campaign)
    return [
        Question("Production process", bool(answers.production_process.strip())),
        Question("Production milestones", bool(milestones)),
        Question("Who signs off deliverables", bool(approvers)),
        Question("Video meeting tool", bool(answers.video_meeting_tool)),
        Question("File sharing tool", bool(answers.file_sharing_tool)),
        Question("File review tool", bool(answers.file_review_tool)),
        Question(
            "Tool access of every team member",
            bool(tools) and all((member.pk, tool) in confirmed for member in members for tool in tools),
        ),
        Question("Meeting cadence", bool(answers.meeting_cadence)),
        Question(
            "How will we measure success? (KPIs with targets)", any(k.target is not None for k in campaign.kpis.all())
        ),
        Question(
            "How and how often will we share data? (reporting plan)",
            plan is not None and bool(plan.frequency) and bool(plan.method),
        ),
    ]


def _company_questions(campaign: Campaign) -> list[Question]:
    parts = {part.organization_id: part for part in campaign.kickoff_parts.all()}
    asset_owners = {asset.organization_id for asset in campaign.brand_assets.all()}
    questions = []
    for party in sorted(campaign.parties.all(), key=lambda p: p.organization.name):
        organization, part = party.organization, parts.get(party.organization_id)
        legal_answered = part is not None and (
            part.has_legal_review is False
            or (
                part.has_legal_review
                and part.legal_reviewer_id is not None
                and part.legal_turnaround_business_days is not None
            )
        )
        questions.append(Question(f"Legal review ({organization})", legal_answered, organization.pk, "legal"))
        questions.append(
            Question(
                f"Brand assets ({organization})",
                organization.pk in asset_owners or (part is not None and part.no_brand_assets),
                organization.pk,
                "brand",
            )
        )
        for prefix, label in KickoffCompanyPart.PROCESSES.items():
            answered = part is not None and getattr(part, f"{prefix}_lead_days") is not None
            questions.append(
                Question(f"{label}: process and lead time ({organization})", answered, organization.pk, "processes")
            )
    return questions


def kickoff_completeness(campaign: Campaign) -> Completeness:
    """Which kickoff questions are answered. Reads the campaign's relations through `.all()` (prefetch them)."""
    questionnaire = questionnaire_of(campaign)
    return Completeness(_campaign_questions(campaign, questionnaire) + _company_questions(campaign))


def campaign_for_completeness(campaign_id: int) -> Campaign:
    return Campaign.objects.prefetch_related(*COMPLETENESS_PREFETCH).get(pk=campaign_id)


def completeness_prefetch(through: str) -> list[Prefetch | str]:
    """`COMPLETENESS_PREFETCH` for rows that reach their campaign through the relation `through`."""
    return [
        Prefetch(f"{through}__{lookup.prefetch_through}", lookup.queryset)
        if isinstance(lookup, Prefetch)
        else f"{through}__{lookup}"
        for lookup in COMPLETENESS_PREFETCH
    ]


def questionnaire_list(*, user: Any) -> QuerySet[KickoffQuestionnaire]:
    return (
        KickoffQuestionnaire.objects.for_user(user)
        .select_related("campaign")
        .prefetch_related(*completeness_prefetch("campaign"))
    )


@dataclass(frozen=True)
class ChecklistLine:
    member: Member
    # Tool value -> True (has access), False (confirmed: no access) or None (not confirmed yet).
    access: dict[str, bool | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": self.member.pk,
            "person": self.member.person.full_name,
            "organization": self.member.person.organization.name,
            "access": self.access,
        }


def tool_access_checklist(campaign: Campaign) -> list[ChecklistLine]:
    """One line per member of the campaign's team (and nobody else), per tool the questionnaire names."""
    questionnaire = questionnaire_of(campaign)
    tools = questionnaire.named_tools() if questionnaire else []
    members = (
        Member.objects.filter(campaign=campaign)
        .select_related("person__organization")
        .prefetch_related(Prefetch("tool_access", ToolAccess.objects.all()))
    )
    lines = []
    for member in members:
        recorded = {access.tool: access.has_access for access in member.tool_access.all()}
        lines.append(ChecklistLine(member=member, access={tool: recorded.get(tool) for tool in tools}))
    return lines
