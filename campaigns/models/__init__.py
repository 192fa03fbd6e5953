from campaigns.models.answers import UsedAnswerLink
from campaigns.models.assets import BrandAsset
from campaigns.models.budget import BudgetLine, CampaignBudget, ExchangeRate
from campaigns.models.comments import Comment
from campaigns.models.core import (
    SEEING_FIELDS,
    Campaign,
    CampaignChildQuerySet,
    CampaignQuerySet,
    CompanyWord,
    Deliverable,
    KeptRecordQuerySet,
    Member,
    Party,
    RaciAssignment,
    campaign_ids_of,
    company_takes_part,
    who_sees_whom_refresh,
)
from campaigns.models.crm_imports import CrmImport
from campaigns.models.flags import Flag
from campaigns.models.invitations import Invitation
from campaigns.models.kickoff import (
    KickoffCompanyPart,
    KickoffQuestionnaire,
    ProductionMilestone,
    SignoffApprover,
    ToolAccess,
)
from campaigns.models.kpis import (
    AgreedKpiTarget,
    CampaignKpi,
    KpiAgreement,
    KpiMeasurement,
    KpiRound,
    LeadStatusMapping,
    Metric,
    ReportingPlan,
    ReportingPlanReporter,
)
from campaigns.models.leads import LeadShare, LeadSharingTerms, RegistrantField
from campaigns.models.outbox import SendingPause
from campaigns.models.registrants import Registrant, RegistrantImport
from campaigns.models.reminders import Reminder, ReminderOptOut
from campaigns.models.reports import Learning, ResultsReport
from campaigns.models.scorecards import PartnerScorecard
from campaigns.models.signoffs import SignoffRequest
from campaigns.models.sweeps import SweepDue, SweepWatermark
from campaigns.models.templates import CampaignTemplate, TemplateDeliverable
from campaigns.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "BudgetLine",
    "CampaignBudget",
    "ExchangeRate",
    "Registrant",
    "RegistrantImport",
    "LeadShare",
    "LeadSharingTerms",
    "RegistrantField",
    "UsedAnswerLink",
    "Comment",
    "PartnerScorecard",
    "WebhookDelivery",
    "WebhookEndpoint",
    "AgreedKpiTarget",
    "BrandAsset",
    "CampaignKpi",
    "KickoffCompanyPart",
    "KickoffQuestionnaire",
    "KpiAgreement",
    "KpiMeasurement",
    "KpiRound",
    "LeadStatusMapping",
    "Metric",
    "ProductionMilestone",
    "ReportingPlan",
    "ReportingPlanReporter",
    "SignoffApprover",
    "SignoffRequest",
    "SweepDue",
    "SweepWatermark",
    "ToolAccess",
    "Campaign",
    "CampaignTemplate",
    "TemplateDeliverable",
    "CampaignChildQuerySet",
    "KeptRecordQuerySet",
    "CampaignQuerySet",
    "CompanyWord",
    "Deliverable",
    "Flag",
    "Invitation",
    "Member",
    "Party",
    "RaciAssignment",
    "CrmImport",
    "Learning",
    "Reminder",
    "ReminderOptOut",
    "ResultsReport",
    "SendingPause",
    "campaign_ids_of",
    "company_takes_part",
    "who_sees_whom_refresh",
    "SEEING_FIELDS",
]
