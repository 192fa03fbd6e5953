"""Who may do what, written down by hand from the README's "Who may do what" (not read from the rules table): a
one-word change of a model's `rules` (a partner that can no longer leave, a KPI round that becomes editable, a
calendar subscription that becomes deletable, a delivery only the vendor may resend…) fails here, where the
permission matrix, which reads the same table it checks, would follow it."""

import pytest
from django.apps import apps
from django.db.models import Q

from campaigns.models import Deliverable
from partners.scoping import refusal, rules_of
from partners.scoping.rules import NOBODY, related, unless_private

P = "the companies taking part in the campaign"
O = "the company it belongs to"  # noqa: E741
H = "the host company"
N = "only the operator"
S = "the person it is addressed to"
A = "the administrators of its company"

# model: (view, add, change, delete, {custom action: who})
WHO_MAY = {
    "partners.Organization": (
        f"{O} or companies that share a campaign with it",
        N,
        O,
        N,
        {"govern": "the administrators of its company"},
    ),
    "partners.Person": (
        f"{O} or companies that share a campaign with it",
        O,
        O,
        N,
        {"govern": "the administrators of its company"},
    ),
    "partners.IdentityProvider": (A, A, A, A, {}),
    "partners.SignOnDomain": (A, A, A, A, {}),
    "partners.PartnerRelationship": ("the vendor or the partner company", "the vendor", "the vendor", "the vendor", {}),
    "campaigns.Campaign": (P, H, H, N, {"leave": P, "invite_new_company": H, "first_hour": P}),
    "campaigns.Party": (P, N, O, f"{H} or {O}", {}),
    "campaigns.Member": (P, O, O, O, {}),
    "campaigns.Deliverable": (P, P, P, P, {"publish": "the company whose channel it goes out on"}),
    "campaigns.RaciAssignment": (P, P, P, P, {}),
    "campaigns.KickoffQuestionnaire": (P, P, P, N, {}),
    "campaigns.ProductionMilestone": (P, P, P, P, {}),
    "campaigns.SignoffApprover": (P, P, P, P, {}),
    "campaigns.KickoffCompanyPart": (P, O, O, N, {"complete": O}),
    "campaigns.ToolAccess": (P, O, O, N, {}),
    "campaigns.BrandAsset": (P, O, O, O, {}),
    "campaigns.CrmImport": (P, O, O, O, {}),
    "campaigns.Flag": (P, N, P, N, {}),
    "campaigns.Invitation": (f"{P} or the invited company", H, H, N, {"answer": "the invited company"}),
    "campaigns.Metric": (f"built-in or {P}", P, P, N, {}),
    "campaigns.KpiRound": (P, P, N, N, {"agree": P}),
    "campaigns.CampaignKpi": (P, P, P, P, {}),
    "campaigns.KpiAgreement": (P, N, N, N, {}),
    "campaigns.AgreedKpiTarget": (P, N, N, N, {}),
    "campaigns.KpiMeasurement": (P, O, O, O, {}),
    "campaigns.ReportingPlan": (P, P, P, N, {}),
    "campaigns.ReportingPlanReporter": (P, O, O, O, {}),
    "campaigns.LeadStatusMapping": (P, O, O, O, {}),
    "campaigns.Reminder": (S, N, N, N, {"resend": N}),
    "campaigns.ReminderOptOut": (S, S, N, S, {}),
    "campaigns.ResultsReport": (P, P, N, N, {}),
    "campaigns.Learning": (P, O, O, O, {}),
    "campaigns.SignoffRequest": (P, P, N, N, {"decide": O, "ask again": P}),
    "campaigns.CampaignTemplate": (f"shipped or {O}", O, O, O, {}),
    "campaigns.TemplateDeliverable": (f"shipped or {O}", O, O, O, {}),
    "campaigns.BudgetLine": (f"{O} or shared", O, O, O, {"approve": O}),
    "campaigns.CampaignBudget": (P, P, P, N, {}),
    "campaigns.ExchangeRate": (P, P, P, P, {}),
    "campaigns.LeadSharingTerms": (P, P, P, N, {}),
    "campaigns.LeadShare": (P, P, P, P, {}),
    "campaigns.RegistrantImport": (P, O, O, O, {}),
    "campaigns.Registrant": (f"{O} or the companies the agreed lead-sharing terms name", N, N, O, {}),
    "campaigns.Comment": (
        f"{P} (only {O} when it is marked “only my company”)",
        P,
        "the person who wrote it",
        N,
        {},
    ),
    "campaigns.UsedAnswerLink": (S, N, N, N, {}),
    "campaigns.WebhookEndpoint": (O, O, O, N, {}),
    "campaigns.WebhookDelivery": (O, N, N, N, {"resend": O}),
    "meetings.CalendarToken": (S, S, S, N, {}),
    "meetings.MeetingSeries": (P, P, P, N, {}),
    "meetings.Meeting": (P, N, P, N, {}),
    "meetings.Attendance": (P, P, P, P, {}),
    "meetings.Decision": (P, P, O, N, {"make": O, "supersede": O, "withdraw": O}),
    "meetings.ActionItem": (P, P, P, P, {}),
}


def test_every_scoped_model_is_written_down_here():
    scoped = {model._meta.label for model in apps.get_models() if rules_of(model) is not None}
    assert scoped == set(WHO_MAY)


@pytest.mark.parametrize("label", sorted(WHO_MAY))
def test_who_may_do_what(label):
    view, add, change, delete, custom = WHO_MAY[label]
    rules = rules_of(apps.get_model(label)).rules
    said = {action: rule.describe() for action, rule in rules.items()}
    assert said == {"view": view, "add": add, "change": change, "delete": delete, **custom}


# Fields not everyone who sees a row reads: model -> {field: who reads it}.
WHO_READS = {
    "campaigns.Registrant": {
        field: f"the company that imported it or the companies the agreed terms give the {label}"
        for field, label in (
            ("email", "e-mail address"),
            ("name", "name"),
            ("company", "company"),
            ("job_title", "job title"),
            ("phone", "phone number"),
            ("country", "country"),
            ("attended", "attended or not"),
        )
    },
}


def test_who_reads_each_guarded_field():
    guarded = {
        model._meta.label for model in apps.get_models() if (rules_of(model) or object).__dict__.get("field_rules")
    }
    assert guarded <= set(WHO_READS)
    for label, fields in WHO_READS.items():
        queryset_class = rules_of(apps.get_model(label))
        said = {name: rule.describe(queryset_class.relation_words) for name, rule in queryset_class.field_rules.items()}
        assert said == fields


# The rule algebra itself, on relations named by hand: what the admin filters (`q`) and the matrix checks
# (`allows`) must agree on.
HOST, OWNER, PARTY = related("host"), related("owner"), related("party")


def by_name(relation: str) -> Q:
    return Q(**{relation: True})


def test_a_rule_reads_as_sql_in_the_shape_it_was_written():
    assert HOST.q(by_name) == Q(host=True)
    assert (HOST | OWNER).q(by_name) == Q(host=True) | Q(owner=True)
    assert (PARTY & OWNER).q(by_name) == Q(party=True) & Q(owner=True)
    assert (HOST | OWNER | PARTY).q(by_name) == (Q(host=True) | Q(owner=True)) | Q(party=True)
    assert NOBODY.q(by_name) == Q(pk__in=[])


@pytest.mark.parametrize(
    ("rule", "relations", "allowed"),
    [
        (HOST, {"host"}, True),
        (HOST, {"party", "owner"}, False),
        (HOST | OWNER, {"owner"}, True),
        (HOST | OWNER, {"party"}, False),
        (PARTY & OWNER, {"party", "owner"}, True),
        (PARTY & OWNER, {"party"}, False),
        (NOBODY, {"host", "owner", "party"}, False),
    ],
)
def test_a_rule_allows_exactly_the_companies_it_names(rule, relations, allowed):
    assert rule.allows(relations) is allowed


def test_a_rule_knows_the_relations_it_reads():
    assert (HOST | (PARTY & OWNER)).relations == {"host", "party", "owner"}
    assert NOBODY.relations == set()


def test_a_rule_names_who_may_act_in_the_models_own_words():
    assert (HOST | OWNER).describe({"owner": "the company the decision binds"}) == (
        "the host company or the company the decision binds"
    )
    assert (PARTY & related("pending")).describe(conditions=frozenset({"pending"})) == P
    assert related("a new relation").describe() == "a new relation"
    # A company-private note: one sentence, the usual case first, in the model's words.
    assert unless_private(PARTY).describe({"owner": "its author's company"}) == (
        f"{P} (only its author's company when it is marked “only my company”)"
    )


# A closed or cancelled campaign is a record: these writes are refused once it closes, for every company, in the
# admin and the API alike. What stays: seeing everything, the host's campaign itself (its form is read-only when
# closed, and a closed status goes nowhere), leaving it, comments, what each company learned and the results
# report (written once it is over), flags (acknowledged or snoozed), invitations, templates and reminders.
CLOSED_WITH_THE_CAMPAIGN = {
    "campaigns.BrandAsset": {"add", "change", "delete"},
    "campaigns.BudgetLine": {"add", "change", "delete", "approve"},
    "campaigns.CampaignBudget": {"add", "change"},
    "campaigns.CampaignKpi": {"add", "change", "delete"},
    "campaigns.CrmImport": {"add", "change", "delete"},
    "campaigns.Deliverable": {"add", "change", "delete", "publish"},
    "campaigns.ExchangeRate": {"add", "change", "delete"},
    "campaigns.KickoffCompanyPart": {"add", "change", "complete"},
    "campaigns.KickoffQuestionnaire": {"add", "change"},
    "campaigns.KpiMeasurement": {"add", "change", "delete"},
    "campaigns.KpiRound": {"add", "agree"},
    "campaigns.LeadShare": {"add", "change", "delete"},
    "campaigns.LeadSharingTerms": {"add", "change"},
    "campaigns.LeadStatusMapping": {"add", "change", "delete"},
    "campaigns.Member": {"add", "change", "delete"},
    "campaigns.ProductionMilestone": {"add", "change", "delete"},
    "campaigns.RaciAssignment": {"add", "change", "delete"},
    "campaigns.RegistrantImport": {"add", "change", "delete"},
    "campaigns.ReportingPlan": {"add", "change"},
    "campaigns.ReportingPlanReporter": {"add", "change", "delete"},
    "campaigns.SignoffApprover": {"add", "change", "delete"},
    "campaigns.SignoffRequest": {"add", "decide", "ask again"},
    "campaigns.ToolAccess": {"add", "change"},
    "meetings.ActionItem": {"add", "change", "delete"},
    "meetings.Attendance": {"add", "change", "delete"},
    "meetings.Decision": {"add", "change", "make", "supersede", "withdraw"},
    "meetings.Meeting": {"change"},
    "meetings.MeetingSeries": {"add", "change"},
}


@pytest.mark.parametrize("label", sorted(WHO_MAY))
def test_writes_end_when_the_campaign_closes(label):
    rules = rules_of(apps.get_model(label)).rules
    closing = {action for action, rule in rules.items() if "open" in rule.relations}
    assert closing == CLOSED_WITH_THE_CAMPAIGN.get(label, set())


def test_the_refusal_on_a_closed_campaign_says_why():
    assert refusal(Deliverable, "change") == (
        f"Only {P} may change this deliverable, and only while its campaign is open."
    )
