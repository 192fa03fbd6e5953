import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import (
    AgreedKpiTarget,
    Campaign,
    CampaignKpi,
    CompanyWord,
    KpiAgreement,
    KpiMeasurement,
    KpiRound,
    LeadSharingTerms,
)
from campaigns.models.kpis import AgreedInRound
from partners.models import Organization, Person
from utilities.validation import save_validated


def kpi_round_current(*, campaign: Campaign, for_update: bool = False) -> KpiRound:
    """The campaign's current agreement round; the first one is opened on demand."""
    rounds = KpiRound.objects.select_for_update() if for_update else KpiRound.objects.all()
    current = rounds.current().filter(campaign=campaign).first()
    return current or save_validated(KpiRound(campaign=campaign, number=1))


def _withdraw_agreements(current: KpiRound) -> None:
    # The parties agreed to other terms; each must agree again (simple-history keeps the withdrawn rows).
    for agreement in current.agreements.all():
        agreement.delete()


@transaction.atomic
def agreed_terms_save(*, row: AgreedInRound, campaign: Campaign) -> AgreedInRound:
    """Create or change a row the companies agree in the round (a KPI, the lead-sharing terms). Refused on a
    locked round; in an open one a change to what was agreed withdraws the agreements made so far."""
    current = kpi_round_current(campaign=campaign, for_update=True)
    terms_changed = row.changes_agreed_terms()
    save_validated(row)
    if terms_changed:
        _withdraw_agreements(current)
    return row


@transaction.atomic
def agreed_terms_delete(*, row: AgreedInRound, campaign: Campaign) -> None:
    current = kpi_round_current(campaign=campaign, for_update=True)
    if current.is_locked:
        raise ValidationError(row.locked_message, code="kpis_locked")
    _withdraw_agreements(current)
    row.delete()


@transaction.atomic
def agreements_withdraw(*, campaign: Campaign) -> None:
    """What the companies agree changed in the open round (saved through a form set): each agrees again."""
    _withdraw_agreements(kpi_round_current(campaign=campaign, for_update=True))


def kpi_save(*, kpi: CampaignKpi) -> CampaignKpi:
    return agreed_terms_save(row=kpi, campaign=kpi.campaign)


def kpi_delete(*, kpi: CampaignKpi) -> None:
    agreed_terms_delete(row=kpi, campaign=kpi.campaign)


def _party_ids(campaign: Campaign) -> set[int]:
    return set(campaign.parties.values_list("organization_id", flat=True))


@transaction.atomic
def kpi_agree(*, campaign: Campaign, organization: Organization, person: Person | None) -> KpiAgreement:
    """`organization` agrees to the current KPI set, through `person`: its decision maker on the campaign, or any
    of its people while it has named none (refused with who may, otherwise). When every party has agreed, the
    set locks."""
    if organization.pk not in _party_ids(campaign):
        raise ValidationError(f"{organization} is not a party of this campaign, so it cannot agree to its KPIs.")
    if person is None or person.organization_id != organization.pk:
        raise ValidationError(f"Only a person of {organization} can agree on its behalf.")
    word = CompanyWord.of(campaign.pk, organization)
    refused = word.refusal_to(person, "agree")
    if refused:
        raise PermissionDenied(refused)
    current = kpi_round_current(campaign=campaign, for_update=True)
    if current.is_locked:
        raise ValidationError("Every company has already agreed to these KPIs; the set is locked.")
    if not campaign.kpis.filter(target__isnull=False).exists():
        raise ValidationError("Add at least one KPI with a target before agreeing to the KPI set.")
    if current.agreements.filter(organization=organization).exists():
        raise ValidationError(f"{organization} has already agreed to the KPIs of round {current.number}.")
    agreement = save_validated(
        KpiAgreement(
            round=current, organization=organization, agreed_by=person, by_decision_maker=bool(word.decision_makers)
        )
    )
    if _party_ids(campaign) <= set(current.agreements.values_list("organization_id", flat=True)):
        _lock(current)
    return agreement


def _lock(current: KpiRound) -> None:
    current.locked_at = timezone.now()
    terms = LeadSharingTerms.objects.filter(campaign_id=current.campaign_id).select_related("first_contact").first()
    current.agreed_lead_terms = terms.pinned() if terms else None
    current.save(update_fields=["locked_at", "agreed_lead_terms"])
    AgreedKpiTarget.objects.bulk_create(
        AgreedKpiTarget(
            round=current,
            kpi=kpi,
            metric_id=kpi.metric_id,
            target=kpi.target,
            currency=kpi.currency,
            combination=kpi.combination,
        )
        for kpi in current.campaign.kpis.all()
    )


@transaction.atomic
def kpi_round_start(*, campaign: Campaign, user: Any, reason: str = "") -> KpiRound:
    """Reopen a locked KPI set for changes; every party agrees again. Earlier agreed targets stay in history."""
    current = kpi_round_current(campaign=campaign, for_update=True)
    if not current.is_locked:
        raise ValidationError(
            f"Round {current.number} is still open: change the KPIs and agree to them there, no new round is needed."
        )
    current.superseded_at = timezone.now()
    current.save(update_fields=["superseded_at"])
    started_by = user if user is not None and user.is_authenticated else None
    return save_validated(KpiRound(campaign=campaign, number=current.number + 1, reason=reason, started_by=started_by))


@dataclass(frozen=True)
class ReplacedFigure:
    """The figure a new report of the same company, KPI and period replaced."""

    value: Decimal
    reported_at: datetime.datetime


@transaction.atomic
def kpi_figure_record(*, measurement: KpiMeasurement) -> ReplacedFigure | None:
    """Record a new figure of a company for a KPI and period (the company is the reporter's). A figure that company
    already has for the same period is replaced: its row is updated, and its history keeps the earlier value,
    so reporting twice never counts twice. Returns the replaced figure, if there was one."""
    # One writer of a KPI's figures at a time, so two reports of the same period cannot both insert.
    CampaignKpi.objects.select_for_update().filter(pk=measurement.kpi_id).first()
    reporter = measurement.reported_by if measurement.reported_by_id else None
    earlier = KpiMeasurement.objects.filter(
        kpi_id=measurement.kpi_id,
        organization_id=reporter.organization_id if reporter else None,
        period_start=measurement.period_start,
        period_end=measurement.period_end,
    ).first()
    if earlier is not None:
        measurement.pk, measurement.created_at = earlier.pk, earlier.created_at
        measurement._state.adding = False
    save_validated(measurement)
    return ReplacedFigure(earlier.value, earlier.updated_at) if earlier is not None else None
