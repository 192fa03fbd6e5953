"""Every query filter of every viewset: another company's id gets exactly the answer a missing id gets."""

import pytest
from django_filters.filters import QuerySetRequestMixin

from campaigns.models import Campaign, Member
from comarketing.api.router import router
from partners.models import Person
from partners.scoping.filters import ScopedFilterBackend, ScopedFilterSet

MISSING = 987654


def _filter_sets():
    for prefix, viewset, _ in router.registry:
        yield prefix, ScopedFilterBackend().get_filterset_class(viewset(), viewset.queryset)


def _filter_parameters():
    """(url, parameter, model) for every id filter of every registered viewset."""
    return [
        (f"/api/{prefix}/", name, query_filter.queryset.model)
        for prefix, filterset_class in _filter_sets()
        if filterset_class is not None
        for name, query_filter in filterset_class.base_filters.items()
        if isinstance(query_filter, QuerySetRequestMixin)
    ]


CASES = _filter_parameters()


def test_every_viewset_filters_through_the_scoped_filter_set():
    for prefix, filterset_class in _filter_sets():
        assert filterset_class is None or issubclass(filterset_class, ScopedFilterSet), prefix


@pytest.fixture
def foreign_rows(other_campaign, company_b):
    """A row of every kind on other_campaign (B+C), which company A never sees."""
    from campaigns.models import (
        CampaignBudget,
        CampaignTemplate,
        Deliverable,
        LeadSharingTerms,
        Metric,
        WebhookEndpoint,
    )
    from campaigns.services.kickoff import questionnaire_get_or_create
    from tests.campaigns.kickoff_factories import kpi, reporting_plan
    from tests.meetings.factories import series_for

    Deliverable.objects.create(campaign=other_campaign, title="B and C's secret landing page")
    questionnaire_get_or_create(campaign=other_campaign)
    Metric.objects.create(campaign=other_campaign, name="Secret metric", funnel_stage="marketing")
    kpi(other_campaign, "registrations", target="100")
    reporting_plan(other_campaign)
    series_for(other_campaign)
    CampaignTemplate.objects.create(name="B's own webinar plan", kind="joint_webinar", organization=company_b)
    WebhookEndpoint.objects.create(organization=company_b, name="B's Slack", url="https://hooks.example.com/b")
    CampaignBudget.objects.create(campaign=other_campaign, reporting_currency="EUR")
    LeadSharingTerms.objects.create(
        campaign=other_campaign,
        consent_text="B and C may contact you.",
        retention_days=365,
        first_contact=company_b,
        follow_up_days=3,
    )
    import datetime

    from campaigns.models import Registrant, RegistrantImport
    from partners.models import Person

    day = datetime.date(2026, 11, 16)
    registrant_import = RegistrantImport.objects.create(
        campaign=other_campaign,
        organization=company_b,
        period_start=day,
        period_end=day,
        file_name="b.csv",
        file_sha256="b" * 64,
        registrants=1,
        imported_by=Person.objects.filter(organization=company_b).first(),
    )
    Registrant.objects.create(
        campaign=other_campaign, registrant_import=registrant_import, row=2, email="secret@b.example"
    )


@pytest.mark.parametrize(("url", "parameter", "model"), CASES, ids=[f"{u}?{p}" for u, p, _ in CASES])
def test_a_foreign_id_is_answered_like_a_missing_one(api, alice, foreign_rows, url, parameter, model):
    """other_campaign is B+C: company A sees none of its rows."""
    foreign = model.objects.exclude(pk__in=model.objects.for_user(alice).values("pk")).first()
    assert foreign is not None, f"no {model.__name__} row outside company A's sight: add one to foreign_rows"
    client = api.as_user(alice)
    foreign_answer = client.get(url, {parameter: foreign.pk})
    missing_answer = client.get(url, {parameter: MISSING})
    assert (foreign_answer.status_code, foreign_answer.json()) == (missing_answer.status_code, missing_answer.json())


@pytest.mark.parametrize(
    ("url", "parameter", "model"),
    [
        ("/api/parties/", "campaign", Campaign),
        ("/api/members/", "person", Person),
        ("/api/members/", "campaign", Campaign),
    ],
)
def test_the_examples_from_the_issue(api, alice, other_campaign, url, parameter, model):
    foreign = (
        Campaign.objects.get(pk=other_campaign.pk)
        if model is Campaign
        else Member.objects.filter(campaign=other_campaign).first().person
    )
    client = api.as_user(alice)
    assert client.get(url, {parameter: foreign.pk}).status_code == client.get(url, {parameter: MISSING}).status_code


def test_filtering_invitations_by_company_does_not_tell_whose_address_the_host_invited(
    api, alice, shared_campaign, company_a, company_c, charlie
):
    """An invitation by e-mail to Charlie's address went to Company C, which the host knows from another campaign:
    filtered by Company C, the host's answer is the one a company with no invitation gets."""
    from campaigns.models import Member
    from campaigns.services.invitations import invitation_create_for_new_company
    from tests.campaigns.factories import joint_campaign
    from tests.partners.factories import OrganizationFactory

    quiet = OrganizationFactory(name="Company Q")
    joint_campaign(company_a, company_c, quiet, name="A, C and Q roundtable")
    Member.objects.filter(campaign=shared_campaign, person=alice.person).update(is_decision_maker=True)
    invitation_create_for_new_company(
        user=alice, campaign=shared_campaign, company_name="Delta", contact_name="C", contact_email=charlie.email
    )
    client = api.as_user(alice)

    by_invited = client.get("/api/invitations/", {"organization": company_c.pk})
    by_quiet = client.get("/api/invitations/", {"organization": quiet.pk})

    assert (by_invited.status_code, by_invited.json()) == (by_quiet.status_code, by_quiet.json())
    assert by_invited.json()["results"] == []
