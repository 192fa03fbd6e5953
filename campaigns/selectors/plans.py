"""The lead-time engine: when each deliverable must start, counted back from its due date in business days.

Latest safe start = due date − the channel company's lead time for that kind of work (from its kickoff
answers) − the legal review turnaround (the slowest company's, reviews run side by side) when it needs legal
review − the sign-off turnaround when it needs sign-off. A handful of queries for any number of campaigns.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from campaigns.models import Deliverable, KickoffCompanyPart, Party
from utilities.business_days import NO_DAYS_OFF, add_business_days, business_days_between, public_holidays

# Which of a company's processes (KickoffCompanyPart.PROCESSES) each type of deliverable goes through.
PROCESS_OF_TYPE = {
    Deliverable.Type.LANDING_PAGE: "web_content",
    Deliverable.Type.REGISTRATION_FORM: "web_content",
    Deliverable.Type.SOCIAL_POSTS: "social_posts",
    Deliverable.Type.INVITATION_EMAIL: "nurtures",
    Deliverable.Type.NURTURE: "nurtures",
    Deliverable.Type.RESULTS_REPORT: "reports",
}


@dataclass(frozen=True)
class DeliverablePlan:
    deliverable: Deliverable
    owner_name: str
    process: str  # a KickoffCompanyPart.PROCESSES label, lower case; "" when the type has no process
    lead_days: int
    legal_days: int
    legal_company: str
    signoff_days: int
    # The public holidays of the company doing the work (its profile's country): not counted as business days.
    days_off: frozenset[datetime.date] = NO_DAYS_OFF

    @property
    def due(self) -> datetime.date:
        return self.deliverable.due_date

    @property
    def review_days(self) -> int:
        return self.legal_days + self.signoff_days

    @property
    def needed_days(self) -> int:
        return self.lead_days + self.review_days

    @property
    def latest_safe_start(self) -> datetime.date:
        return add_business_days(self.due, -self.needed_days, self.days_off)

    @property
    def review_start(self) -> datetime.date:
        """When the work must be ready for its reviews (the due date when it needs none)."""
        return add_business_days(self.due, -self.review_days, self.days_off)

    def days_left(self, today: datetime.date) -> int:
        return business_days_between(today, self.due, self.days_off)

    def cannot_be_done_in_time(self, today: datetime.date) -> bool:
        """Not started, not yet due, and fewer business days left than its lead time and reviews need."""
        return (
            self.deliverable.status == Deliverable.Status.NOT_STARTED
            and self.due >= today
            and self.days_left(today) < self.needed_days
        )

    def explain(self, today: datetime.date) -> str:
        """“Landing page” is due in 4 business days; Northwind needs 5 for web content plus 3 for legal review."""
        parts = [f"{self.owner_name} needs {self.lead_days} for {self.process or 'the work'}"]
        if self.legal_days:
            parts.append(f"{self.legal_days} for legal review ({self.legal_company})")
        if self.signoff_days:
            parts.append(f"{self.signoff_days} for sign-off")
        return (
            f"“{self.deliverable.title}” is due in {self.days_left(today)} business days; "
            + " plus ".join(parts)
            + f" (start by {self.latest_safe_start:%a %-d %b})."
        )


def with_owner_company(deliverables: QuerySet[Deliverable]) -> QuerySet[Deliverable]:
    """Each deliverable with the id and name of the company that does it: its channel's, else the host's."""
    host = Party.objects.filter(campaign=OuterRef("campaign_id"), role=Party.Role.HOST)
    return deliverables.select_related("channel_party__organization").annotate(
        host_id=Subquery(host.values("organization_id")[:1]),
        host_name=Subquery(host.values("organization__name")[:1]),
        host_country=Subquery(host.values("organization__country")[:1]),
    )


def plans_of(deliverables: Iterable[Deliverable]) -> list[DeliverablePlan]:
    """The plan of each deliverable with a due date (fetched `with_owner_company`); one query for the answers."""
    rows = [deliverable for deliverable in deliverables if deliverable.due_date is not None]
    parts = KickoffCompanyPart.objects.filter(campaign_id__in={row.campaign_id for row in rows}).select_related(
        "organization"
    )
    lead_times: dict[tuple[int, int], KickoffCompanyPart] = {}
    slowest_legal: dict[int, tuple[int, str]] = {}
    for part in parts:
        lead_times[part.campaign_id, part.organization_id] = part
        turnaround = part.legal_turnaround_business_days or 0
        if part.has_legal_review and turnaround > slowest_legal.get(part.campaign_id, (0, ""))[0]:
            slowest_legal[part.campaign_id] = (turnaround, part.organization.name)
    plans = []
    for row in rows:
        channel = row.channel_party
        owner_id, owner_name, country = (
            (channel.organization_id, channel.organization.name, channel.organization.country)
            if channel
            else (row.host_id, row.host_name, row.host_country)
        )
        process = PROCESS_OF_TYPE.get(row.type, "")
        part = lead_times.get((row.campaign_id, owner_id))
        legal_days, legal_company = slowest_legal.get(row.campaign_id, (0, "")) if row.needs_legal_review else (0, "")
        plans.append(
            DeliverablePlan(
                deliverable=row,
                owner_name=owner_name or "",
                process=str(KickoffCompanyPart.PROCESSES[process]).lower() if process else "",
                lead_days=(getattr(part, f"{process}_lead_days") or 0) if part and process else 0,
                legal_days=legal_days,
                legal_company=legal_company,
                signoff_days=settings.SIGNOFF_TURNAROUND_BUSINESS_DAYS if row.needs_signoff else 0,
                # The year before the due date too: lead times reach back across New Year.
                days_off=public_holidays(country or "", row.due_date.year - 1, row.due_date.year),
            )
        )
    return plans


def campaign_plan(campaign_id: int) -> list[DeliverablePlan]:
    """Every deliverable of one campaign with its planned dates, in due order: two queries."""
    deliverables = Deliverable.objects.filter(campaign_id=campaign_id).order_by("due_date", "pk")
    return plans_of(with_owner_company(deliverables))
