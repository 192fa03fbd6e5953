from campaigns.models.core import (
    Campaign,
    CampaignChildQuerySet,
    CampaignQuerySet,
    Deliverable,
    Member,
    Party,
    RaciAssignment,
    campaign_ids_of,
)

__all__ = [
    "Campaign",
    "CampaignChildQuerySet",
    "CampaignQuerySet",
    "Deliverable",
    "Member",
    "Party",
    "RaciAssignment",
    "campaign_ids_of",
]
