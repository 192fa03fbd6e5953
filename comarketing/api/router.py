"""Every API endpoint, in one place."""

from rest_framework.routers import DefaultRouter

from campaigns.api.core import (
    CampaignViewSet,
    DeliverableViewSet,
    MemberViewSet,
    PartyViewSet,
    RaciAssignmentViewSet,
)
from partners.api import OrganizationViewSet, PersonViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet)
router.register("people", PersonViewSet)
router.register("campaigns", CampaignViewSet)
router.register("parties", PartyViewSet)
router.register("members", MemberViewSet)
router.register("deliverables", DeliverableViewSet)
router.register("raci-assignments", RaciAssignmentViewSet)
