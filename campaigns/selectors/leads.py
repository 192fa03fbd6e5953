from dataclasses import dataclass

from campaigns.models import Campaign, Deliverable
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
