import datetime
from dataclasses import dataclass

from campaigns.models import Campaign, Deliverable, KpiRound, RegistrantField, RegistrantImport
from utilities.tracking_links import tracking_link, utm_source_of


@dataclass(frozen=True)
class TrackingLink:
    organization: int
    organization_name: str
    utm_source: str
    url: str


def registration_url(campaign: Campaign) -> str:
    """The registration page: the link of the campaign's registration form, else of its landing page."""
    return (
        Deliverable.objects.filter(
            campaign=campaign, type__in=[Deliverable.Type.REGISTRATION_FORM, Deliverable.Type.LANDING_PAGE]
        )
        .exclude(link="")
        .exclude(status=Deliverable.Status.CANCELLED)
        .order_by("-type", "pk")  # "registration_form" sorts after "landing_page"
        .values_list("link", flat=True)
        .first()
        or ""
    )


def tracking_links(campaign: Campaign) -> list[TrackingLink]:
    """Each taking-part company's own link to the registration page; none while the page has no link."""
    url = registration_url(campaign)
    if not url:
        return []
    return [
        TrackingLink(
            party.organization_id,
            party.organization.name,
            utm_source_of(party.organization.name),
            tracking_link(url, source=utm_source_of(party.organization.name), campaign=campaign.name),
        )
        for party in campaign.parties.select_related("organization").order_by("organization__name")
    ]


@dataclass(frozen=True)
class LeadResults:
    """The report's "Registrations and lead sharing": the latest export's counts per source company, and the
    lead-sharing terms as the companies agreed them (pinned on the round), in words."""

    export_name: str
    export_date: datetime.date | None
    by_source: list[dict]  # {"name", "registrants", "attendees"}
    registrants: int
    attendees: int
    terms: dict | None  # the pinned terms
    shares: list[tuple[str, str]]  # (company, "Name, E-mail address, …")


def lead_results(campaign: Campaign) -> LeadResults:
    # The latest export only: a registration export and a later attendee export list the same people.
    latest = RegistrantImport.objects.filter(campaign=campaign).order_by("-created_at", "-pk").first()
    agreed_round = (
        KpiRound.objects.filter(campaign=campaign, locked_at__isnull=False, agreed_lead_terms__isnull=False)
        .order_by("-locked_at", "-pk")
        .first()
    )
    terms = agreed_round.agreed_lead_terms if agreed_round else None
    labels = dict(RegistrantField.choices)
    shares = [
        (share["organization_name"], ", ".join(labels.get(field, field) for field in share["fields"]))
        for share in (terms or {}).get("shares", [])
    ]
    return LeadResults(
        export_name=latest.file_name if latest else "",
        export_date=latest.created_at.date() if latest else None,
        by_source=latest.by_source if latest else [],
        registrants=latest.registrants if latest else 0,
        attendees=latest.attendees if latest else 0,
        terms=terms,
        shares=shares,
    )
