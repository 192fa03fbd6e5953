"""A campaign's plan from a template, counted backwards from the event date; saving a plan as a template.

Other apps add their part of a plan through `plan_extra` (meetings starts the weekly series), so campaigns
never imports them.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignKpi,
    CampaignTemplate,
    Deliverable,
    Member,
    Party,
    RaciAssignment,
    TemplateDeliverable,
)
from partners.scoping import organization_id_of
from utilities.business_days import add_business_days, business_days_between, within_planning_horizon
from utilities.validation import save_validated

PlanExtra = Callable[[Campaign, CampaignTemplate, Any], None]
plan_extras: list[PlanExtra] = []


def plan_extra(build: PlanExtra) -> PlanExtra:
    """Register `build(campaign, template, user)`, run once when a campaign is planned from a template."""
    plan_extras.append(build)
    return build


def plan_prepare(*, campaign: Campaign, template: CampaignTemplate, event_date) -> None:
    """Before a campaign from `template` is saved: it is of the template's kind and launches on the event date."""
    if event_date is None:
        raise ValidationError({"launch_date": "Give the event date: the plan is counted back from it."})
    if not within_planning_horizon(event_date, timezone.localdate()):
        raise ValidationError({"launch_date": "Plan an event within three years of today."})
    campaign.kind = template.kind
    campaign.launch_date = event_date
    campaign.template = template


def plan_build(*, campaign: Campaign, template: CampaignTemplate, user: Any) -> None:
    """The whole plan of a saved campaign: every deliverable with its due date counted back from the event, R
    and A from the stakeholder roles, the KPIs, and what other apps add (the weekly series)."""
    event_date = campaign.launch_date
    host = Party.objects.get(campaign=campaign, role=Party.Role.HOST)
    for line in template.deliverables.all():
        save_validated(
            Deliverable(
                campaign=campaign,
                title=line.title,
                type=line.type,
                channel_party=host if line.channel == TemplateDeliverable.Channel.HOST else None,
                due_date=add_business_days(event_date, line.offset_business_days),
                needs_signoff=line.needs_signoff,
                needs_legal_review=line.needs_legal_review,
                template_item=line,
            )
        )
    for metric in template.kpi_metrics.filter(campaign__isnull=True):
        save_validated(CampaignKpi(campaign=campaign, metric=metric, owner=host.organization))
    plan_fill_roles(campaign=campaign)
    for extra in plan_extras:
        extra(campaign, template, user)


def _holder(members: list[Member], role_field: str, contact_id: int | None) -> Member | None:
    """Who holds a stakeholder role in a company's team; else its point of contact; else its first member."""
    return (
        next((m for m in members if getattr(m, role_field)), None)
        or next((m for m in members if m.person_id == contact_id), None)
        or (members[0] if members else None)
    )


@transaction.atomic
def plan_fill_roles(*, campaign: Campaign) -> int:
    """Give planned deliverables what their template line says and is still missing: the partner's channel
    once a partner takes part, and an Accountable and a Responsible from the channel company's team.
    Run on planning and whenever a company joins; returns how many assignments it made."""
    parties = list(Party.objects.filter(campaign=campaign))
    partner = next((p for p in parties if p.role == Party.Role.PARTNER), None)
    team: dict[int, list[Member]] = {}
    for member in Member.objects.filter(campaign=campaign).select_related("person").order_by("pk"):
        team.setdefault(member.person.organization_id, []).append(member)
    planned = (
        Deliverable.objects.filter(campaign=campaign, template_item__isnull=False)
        .exclude(status__in=Deliverable.DONE_STATUSES)
        .select_related("template_item")
        .prefetch_related("raci")
    )
    made = 0
    for deliverable in planned:
        line = deliverable.template_item
        if deliverable.channel_party_id is None and line.channel == TemplateDeliverable.Channel.PARTNER and partner:
            deliverable.channel_party = partner
            save_validated(deliverable)
        channel = next((p for p in parties if p.pk == deliverable.channel_party_id), None)
        if channel is None:
            continue  # the partner's work waits for a partner to join
        members = team.get(channel.organization_id, [])
        held = {assignment.role for assignment in deliverable.raci.all()}
        for role, role_field in (
            (RaciAssignment.Role.ACCOUNTABLE, line.accountable_role),
            (RaciAssignment.Role.RESPONSIBLE, line.responsible_role),
        ):
            member = _holder(members, role_field, channel.point_of_contact_id)
            if role not in held and member is not None:
                save_validated(RaciAssignment(deliverable=deliverable, member=member, role=role))
                made += 1
    return made


@transaction.atomic
def template_save_from_campaign(*, campaign: Campaign, name: str, user: Any) -> CampaignTemplate:
    """The user's company keeps this campaign's plan as its own template (offsets from the event date)."""
    organization_id = organization_id_of(user)
    if organization_id is None:
        raise ValidationError("Only a person of a company saves templates; the operator edits the shipped ones.")
    if campaign.launch_date is None:
        raise ValidationError("Give the campaign its launch or event date first: a template counts from it.")
    template = save_validated(
        CampaignTemplate(
            name=name,
            kind=campaign.kind,
            organization_id=organization_id,
            description=f"Saved from “{campaign}”.",
            **_series_settings(campaign.template),
        )
    )
    deliverables = campaign.deliverables.exclude(status=Deliverable.Status.CANCELLED).exclude(due_date=None)
    for deliverable in deliverables.select_related("channel_party", "template_item"):
        line = deliverable.template_item
        on_partner = deliverable.channel_party is not None and deliverable.channel_party.role == Party.Role.PARTNER
        save_validated(
            TemplateDeliverable(
                template=template,
                title=deliverable.title,
                type=deliverable.type,
                channel=TemplateDeliverable.Channel.PARTNER if on_partner else TemplateDeliverable.Channel.HOST,
                offset_business_days=business_days_between(campaign.launch_date, deliverable.due_date),
                needs_signoff=deliverable.needs_signoff,
                needs_legal_review=deliverable.needs_legal_review,
                **(
                    {"accountable_role": line.accountable_role, "responsible_role": line.responsible_role}
                    if line
                    else {}
                ),
            )
        )
    template.kpi_metrics.set(campaign.kpis.filter(metric__campaign__isnull=True).values_list("metric_id", flat=True))
    return template


def _series_settings(template: CampaignTemplate | None) -> dict:
    if template is None:
        return {}
    names = ("has_weekly_meeting", "meeting_weekday", "meeting_time", "meeting_duration_minutes")
    return {name: getattr(template, name) for name in names}
