import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, CampaignTemplate, Deliverable, Member, Party, RaciAssignment
from campaigns.selectors.kpis import targets_named_in
from campaigns.services.invitations import campaign_status_notice, invitation_create
from campaigns.services.kickoff import kickoff_part_get_or_create, questionnaire_get_or_create
from campaigns.services.kpis import kpi_round_current
from campaigns.services.plans import plan_build, plan_prepare
from campaigns.services.reports import results_report_request
from partners.models import Organization, Person
from partners.scoping import ensure_may_change_fields
from partners.services import person_of
from utilities.validation import save_validated


@transaction.atomic
def campaign_create(
    *,
    user: Any,
    campaign: Campaign,
    partner: Organization | None = None,
    team: Iterable[Person] = (),
    host: Organization | None = None,
    message: str = "",
    template: CampaignTemplate | None = None,
    event_date: datetime.date | None = None,
    decision_maker: Person | None = None,
    project_lead: Person | None = None,
    kpi_targets: Mapping[str, Decimal] | None = None,
) -> Campaign:
    """A campaign ready on day one. It starts as a draft hosted by the creator's company (the operator names the
    host); the creator, the team they pick and the host's decision maker and project lead join it; its kickoff
    questionnaire and the host's part of it exist; from a template, the whole plan is made, counted back from the
    event date, with the KPI targets given (or stated plainly in the goals); the first KPI agreement round is
    open; and the partner company is invited (it joins once it accepts)."""
    if template is not None:
        plan_prepare(campaign=campaign, template=template, event_date=event_date)
    campaign.status = Campaign.Status.DRAFT
    campaign.created_by = user if user.is_authenticated else None
    person = person_of(user)
    host = host or (person.organization if person else None)
    if host is None:
        raise ValidationError("Say which company hosts the campaign.")
    if partner is not None and partner.pk == host.pk:
        raise ValidationError({"partner": "Invite another company: yours hosts the campaign."})
    save_validated(campaign)
    contact = person if person and person.organization_id == host.pk else None
    save_validated(Party(campaign=campaign, organization=host, role=Party.Role.HOST, point_of_contact=contact))
    _team_join(campaign, host, contact, team, decision_maker, project_lead)
    questionnaire_get_or_create(campaign=campaign)
    kickoff_part_get_or_create(campaign=campaign, organization=host)
    if template is not None:
        plan_build(campaign=campaign, template=template, user=user)
    _kpi_targets_set(campaign, kpi_targets or {})
    kpi_round_current(campaign=campaign)
    if partner is not None:
        invitation_create(user=user, campaign=campaign, organization=partner, message=message)
    return campaign


def _team_join(
    campaign: Campaign,
    host: Organization,
    creator: Person | None,
    team: Iterable[Person],
    decision_maker: Person | None,
    project_lead: Person | None,
) -> None:
    """The host's side of the team: the creator, the people picked, and who holds the lead roles."""
    leads = {"decision_maker": decision_maker, "project_lead": project_lead}
    for field, person in [*leads.items(), *(("team", person) for person in team)]:
        if person is not None and person.organization_id != host.pk:
            raise ValidationError({field: f"{person.full_name} is not a person of {host}."})
    people = [person for person in [creator, *team, *leads.values()] if person is not None]
    for teammate in {person.pk: person for person in people}.values():
        roles = {f"is_{role}": True for role, holder in leads.items() if holder and holder.pk == teammate.pk}
        save_validated(Member(campaign=campaign, person=teammate, **roles))


def _kpi_targets_set(campaign: Campaign, targets: Mapping[str, Decimal]) -> None:
    """The KPIs' targets: those given, else those the goals state plainly (see `targets_named_in`)."""
    kpis = {kpi.metric.code: kpi for kpi in campaign.kpis.select_related("metric") if kpi.metric.code}
    unknown = sorted(set(targets) - set(kpis))
    if unknown:
        raise ValidationError({"kpi_targets": f"Not a KPI of this campaign's plan: {', '.join(unknown)}."})
    stated = targets_named_in(campaign.goals, [kpi.metric for kpi in kpis.values()])
    for code, kpi in kpis.items():
        target = targets.get(code, stated.get(code))
        if target is not None and kpi.target is None:
            kpi.target = target
            save_validated(kpi)


@transaction.atomic
def campaign_transition(*, campaign: Campaign, status: str, user: Any = None) -> Campaign:
    moved = status != campaign.status
    campaign.status = status
    save_validated(campaign)
    if moved:
        campaign_status_changed(campaign, user)
    return campaign


def campaign_status_changed(campaign: Campaign, user: Any = None) -> None:
    """What follows a move to a new status, whichever page made it: the leads are told when it is cancelled or
    closed, and the move to Reporting builds the shared results report."""
    campaign_status_notice(campaign, user)
    if campaign.status == Campaign.Status.REPORTING:
        results_report_request(campaign=campaign, user=user)


@transaction.atomic
def raci_unassign(*, assignment: RaciAssignment) -> None:
    """Remove an assignment, refusing to leave a started deliverable without a Responsible."""
    deliverable = assignment.deliverable
    deliverable.ensure_keeps_a_responsible(deliverable.raci.exclude(pk=assignment.pk).values_list("role", flat=True))
    assignment.delete()


@transaction.atomic
def deliverable_set_status(*, deliverable: Deliverable, status: str, user: Any) -> Deliverable:
    """Move a deliverable on (from a meeting's agenda): approving or publishing is the channel company's call,
    and every rule of the deliverable applies (a Responsible before it starts, sign-offs before approval)."""
    if status not in Deliverable.Status.values:
        raise ValidationError({"status": f"“{status}” is not a status of a deliverable."})
    ensure_may_change_fields(user, deliverable, {"status": status})
    deliverable.status = status
    deliverable._history_user = user if user is not None and user.is_authenticated else None
    return save_validated(deliverable)
