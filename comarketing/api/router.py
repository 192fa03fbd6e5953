"""Every API endpoint, in one place."""

from rest_framework.routers import DefaultRouter

from campaigns.api.budget import BudgetLineViewSet, CampaignBudgetViewSet, ExchangeRateViewSet
from campaigns.api.comments import CommentViewSet
from campaigns.api.core import (
    CampaignViewSet,
    DeliverableViewSet,
    InvitationViewSet,
    MemberViewSet,
    PartyViewSet,
    RaciAssignmentViewSet,
)
from campaigns.api.crm_imports import CrmImportViewSet
from campaigns.api.flags import FlagViewSet, ReminderOptOutViewSet, ReminderViewSet
from campaigns.api.kickoff import (
    BrandAssetViewSet,
    CampaignKpiViewSet,
    KickoffCompanyPartViewSet,
    KickoffQuestionnaireViewSet,
    KpiMeasurementViewSet,
    KpiRoundViewSet,
    LeadStatusMappingViewSet,
    MetricViewSet,
    MilestoneViewSet,
    ReporterViewSet,
    ReportingPlanViewSet,
    SignoffApproverViewSet,
    SignoffRequestViewSet,
    ToolAccessViewSet,
)
from campaigns.api.leads import LeadShareViewSet, LeadSharingTermsViewSet
from campaigns.api.plans import CampaignTemplateViewSet, TemplateDeliverableViewSet
from campaigns.api.registrants import RegistrantImportViewSet, RegistrantViewSet
from campaigns.api.reports import LearningViewSet, ResultsReportViewSet
from campaigns.api.scorecard import PartnerScorecardViewSet
from campaigns.api.webhooks import WebhookDeliveryViewSet, WebhookEndpointViewSet
from meetings.api import (
    ActionItemViewSet,
    CalendarTokenViewSet,
    DecisionViewSet,
    MeetingSeriesViewSet,
    MeetingViewSet,
)
from partners.api import (
    IdentityProviderViewSet,
    OrganizationViewSet,
    PartnerRelationshipViewSet,
    PersonViewSet,
    SignOnDomainViewSet,
)

router = DefaultRouter()
router.register("organizations", OrganizationViewSet)
router.register("people", PersonViewSet)
router.register("partner-relationships", PartnerRelationshipViewSet)
router.register("identity-providers", IdentityProviderViewSet)
router.register("sign-on-domains", SignOnDomainViewSet)
router.register("campaigns", CampaignViewSet)
router.register("lead-sharing-terms", LeadSharingTermsViewSet)
router.register("lead-shares", LeadShareViewSet)
router.register("registrant-imports", RegistrantImportViewSet)
router.register("registrants", RegistrantViewSet)
router.register("campaign-templates", CampaignTemplateViewSet)
router.register("campaign-template-deliverables", TemplateDeliverableViewSet)
router.register("parties", PartyViewSet)
router.register("invitations", InvitationViewSet)
router.register("members", MemberViewSet)
router.register("deliverables", DeliverableViewSet)
router.register("raci-assignments", RaciAssignmentViewSet)
router.register("kickoff-questionnaires", KickoffQuestionnaireViewSet)
router.register("kickoff-milestones", MilestoneViewSet)
router.register("signoff-approvers", SignoffApproverViewSet)
router.register("kickoff-company-parts", KickoffCompanyPartViewSet)
router.register("tool-access", ToolAccessViewSet)
router.register("brand-assets", BrandAssetViewSet)
router.register("budget-lines", BudgetLineViewSet)
router.register("campaign-budgets", CampaignBudgetViewSet)
router.register("exchange-rates", ExchangeRateViewSet)
router.register("comments", CommentViewSet)
router.register("signoff-requests", SignoffRequestViewSet)
router.register("kpi-metrics", MetricViewSet)
router.register("campaign-kpis", CampaignKpiViewSet)
router.register("kpi-rounds", KpiRoundViewSet)
router.register("kpi-measurements", KpiMeasurementViewSet)
router.register("reporting-plans", ReportingPlanViewSet)
router.register("reporting-plan-reporters", ReporterViewSet)
router.register("lead-status-mappings", LeadStatusMappingViewSet)
router.register("meeting-series", MeetingSeriesViewSet)
router.register("meetings", MeetingViewSet)
router.register("meeting-decisions", DecisionViewSet)
router.register("action-items", ActionItemViewSet)
router.register("calendar-subscriptions", CalendarTokenViewSet)
router.register("flags", FlagViewSet)
router.register("results-reports", ResultsReportViewSet)
router.register("learnings", LearningViewSet)
router.register("crm-imports", CrmImportViewSet)
router.register("partner-scorecards", PartnerScorecardViewSet, basename="partner-scorecard")
router.register("my-reminders", ReminderViewSet)
router.register("webhooks", WebhookEndpointViewSet)
router.register("webhook-deliveries", WebhookDeliveryViewSet)
router.register("my-reminder-opt-outs", ReminderOptOutViewSet)
