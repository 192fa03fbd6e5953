"""What is late or due for a company, and what waits on its partners: the "ours" of My work.

A deliverable belongs to the companies of its Responsible and Accountable people; a sign-off or legal review to
its reviewer's company. Each list is read in one query, bounded, whatever the number of campaigns.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from campaigns.models import Campaign, Deliverable, RaciAssignment, SignoffRequest
from campaigns.registries.due_work import due_work_sources

OWNING_ROLES = [RaciAssignment.Role.ACCOUNTABLE, RaciAssignment.Role.RESPONSIBLE]


@dataclass(frozen=True)
class DueWork:
    """One thing late or due soon, as My work lists it."""

    what: str
    kind: str  # a human label: "Deliverable", "Sign-off", "Legal review", "Action item"
    campaign_id: int
    campaign_name: str
    due: datetime.date
    company: str  # whose it is
    url: str  # where it is done

    def is_late(self, today: datetime.date) -> bool:
        return self.due < today


def _owned_by(organization_id: int) -> Exists:
    """Whether the deliverable is the company's, asked per deliverable: an IN (or NOT IN) of every deliverable a
    hub owns became a subplan PostgreSQL could not hash at 100,000 campaigns (seconds for My work)."""
    return Exists(
        RaciAssignment.objects.filter(
            deliverable_id=OuterRef("pk"), role__in=OWNING_ROLES, member__person__organization_id=organization_id
        )
    )


def _deliverables_due(user, until: datetime.date) -> QuerySet:
    return (
        Deliverable.objects.for_user(user)
        .filter(due_date__lte=until)
        .exclude(campaign__status__in=Campaign.CLOSED_STATUSES)
        .exclude(status__in=[*Deliverable.DONE_STATUSES, Deliverable.Status.APPROVED])
        .select_related("campaign")
        .order_by("due_date", "pk")
    )


def _signoffs_due(user, until: datetime.date) -> QuerySet:
    return (
        SignoffRequest.objects.for_user(user)
        .pending()
        .filter(due_date__lte=until)
        .exclude(deliverable__campaign__status__in=Campaign.CLOSED_STATUSES)
        .select_related("deliverable__campaign", "reviewer__organization")
        .order_by("due_date", "pk")
    )


def _deliverable_work(deliverable: Deliverable, company: str) -> DueWork:
    return DueWork(
        what=deliverable.title,
        kind="Deliverable",
        campaign_id=deliverable.campaign_id,
        campaign_name=deliverable.campaign.name,
        due=deliverable.due_date,
        company=company,
        url=reverse("admin:campaigns_deliverable_change", args=[deliverable.pk]),
    )


def _signoff_work(request: SignoffRequest) -> DueWork:
    return DueWork(
        what=request.deliverable.title,
        kind=request.get_kind_display(),
        campaign_id=request.deliverable.campaign_id,
        campaign_name=request.deliverable.campaign.name,
        due=request.due_date,
        company=request.reviewer.organization.name,
        url=reverse("admin:campaigns_signoffrequest_change", args=[request.pk]),
    )


def _earliest_first(rows: list[DueWork], limit: int) -> list[DueWork]:
    return sorted(rows, key=lambda row: (row.due, row.what))[:limit]


def due_for_company(user, organization_id: int, company: str, until: datetime.date, limit: int) -> list[DueWork]:
    """My company's deliverables (we are Responsible or Accountable) and reviews due by `until`, and what the
    registered sources add (meetings: our people's action items), earliest first."""
    deliverables = _deliverables_due(user, until).filter(_owned_by(organization_id))
    reviews = _signoffs_due(user, until).filter(reviewer__organization_id=organization_id)
    rows = [_deliverable_work(deliverable, company) for deliverable in deliverables[:limit]]
    rows += [_signoff_work(request) for request in reviews[:limit]]
    for source in due_work_sources:
        rows += source(user, organization_id, until, limit, True)
    return _earliest_first(rows, limit)


def due_for_partners(user, organization_id: int, until: datetime.date, limit: int) -> list[DueWork]:
    """What our campaigns wait for from the other companies: their deliverables (none of ours owns them) and their
    reviews due by `until`, each named by the company it waits on."""
    partner_owner = (
        RaciAssignment.objects.filter(role__in=OWNING_ROLES, deliverable_id=OuterRef("pk"))
        .exclude(member__person__organization_id=organization_id)
        .order_by("role", "pk")  # the Accountable's company first
        .values("member__person__organization__name")[:1]
    )
    deliverables = (
        _deliverables_due(user, until)
        .filter(~_owned_by(organization_id))
        .annotate(waits_on=Subquery(partner_owner))
        .filter(waits_on__isnull=False)
    )
    reviews = _signoffs_due(user, until).filter(~Q(reviewer__organization_id=organization_id))
    rows = [_deliverable_work(deliverable, deliverable.waits_on) for deliverable in deliverables[:limit]]
    rows += [_signoff_work(request) for request in reviews[:limit]]
    for source in due_work_sources:
        rows += source(user, organization_id, until, limit, False)
    return _earliest_first(rows, limit)
