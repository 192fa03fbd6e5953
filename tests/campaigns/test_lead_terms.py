"""Lead-sharing terms (issue 29, item 2): agreed by every company in the campaign's round, with the KPIs, and
pinned on the round as agreed; a registration form goes live only after that, and a critical flag says so as
soon as one is planned."""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from campaigns.checks.leads import find_lead_terms_not_agreed
from campaigns.models import (
    Campaign,
    Deliverable,
    KpiRound,
    LeadShare,
    LeadSharingTerms,
    RaciAssignment,
    RegistrantImport,
)
from campaigns.registries.checks import checks as registered_checks
from campaigns.services import kpis as kpi_services
from campaigns.services.reports import results_context
from tests.campaigns.factories import DeliverableFactory
from tests.campaigns.kickoff_factories import agree_all, kpi
from tests.clients import admin_of, api_of
from utilities.validation import save_validated

pytestmark = pytest.mark.django_db
NOT_AGREED = "The lead-sharing terms are not agreed yet"


def terms_of(campaign, host, partner) -> LeadSharingTerms:
    terms = kpi_services.agreed_terms_save(
        row=LeadSharingTerms(
            campaign=campaign,
            consent_text="I agree that both companies may contact me about this webinar.",
            retention_days=365,
            first_contact=host,
            follow_up_days=5,
        ),
        campaign=campaign,
    )
    for organization, field in ((host, "email"), (host, "name"), (partner, "email")):
        kpi_services.agreed_terms_save(
            row=LeadShare(terms=terms, organization=organization, field=field), campaign=campaign
        )
    return terms


@pytest.fixture
def registration_form(shared_campaign, alice):
    form = DeliverableFactory(campaign=shared_campaign, type=Deliverable.Type.REGISTRATION_FORM, title="Sign-up form")
    member = shared_campaign.members.get(person=alice.person)
    save_validated(RaciAssignment(deliverable=form, member=member, role="R"))
    form.status = Deliverable.Status.IN_PROGRESS
    return save_validated(form)


def approve(form):
    form.status = Deliverable.Status.APPROVED
    return save_validated(form)


def test_a_registration_form_is_not_approved_before_the_terms_are_agreed(shared_campaign, registration_form):
    kpi(shared_campaign)
    agree_all(shared_campaign)  # the KPIs alone: no terms were written

    with pytest.raises(ValidationError, match=NOT_AGREED):
        approve(registration_form)


def test_once_every_company_agreed_the_terms_are_pinned_and_the_form_is_approved(
    shared_campaign, registration_form, company_a, company_b
):
    kpi(shared_campaign)
    terms_of(shared_campaign, company_a, company_b)
    agree_all(shared_campaign)

    pinned = KpiRound.objects.current().get(campaign=shared_campaign).agreed_lead_terms
    assert pinned == {
        "consent_text": "I agree that both companies may contact me about this webinar.",
        "retention_days": 365,
        "first_contact": company_a.pk,
        "first_contact_name": "Company A",
        "follow_up_days": 5,
        "shares": [
            {"organization": company_a.pk, "organization_name": "Company A", "fields": ["email", "name"]},
            {"organization": company_b.pk, "organization_name": "Company B", "fields": ["email"]},
        ],
        "receivers": {f"org{company_a.pk}": {"email": True, "name": True}, f"org{company_b.pk}": {"email": True}},
    }
    assert approve(registration_form).status == Deliverable.Status.APPROVED


def test_agreed_terms_are_locked_and_a_change_in_an_open_round_asks_everyone_again(
    shared_campaign, company_a, company_b, alice
):
    kpi(shared_campaign)
    terms = terms_of(shared_campaign, company_a, company_b)
    agree_all(shared_campaign)

    terms.retention_days = 30
    with pytest.raises(ValidationError, match="so they are locked"):
        kpi_services.agreed_terms_save(row=terms, campaign=shared_campaign)
    with pytest.raises(ValidationError, match="so they are locked"):
        kpi_services.agreed_terms_delete(row=terms.shares.first(), campaign=shared_campaign)

    kpi_services.kpi_round_start(campaign=shared_campaign, user=None, reason="Shorter retention")
    kpi_services.kpi_agree(campaign=shared_campaign, organization=company_a, person=alice.person)
    terms = LeadSharingTerms.objects.get(pk=terms.pk)
    terms.retention_days = 30
    kpi_services.agreed_terms_save(row=terms, campaign=shared_campaign)

    current = KpiRound.objects.current().get(campaign=shared_campaign)
    assert not current.agreements.exists()  # Company A agreed to 365 days, not 30: it agrees again
    first = KpiRound.objects.get(campaign=shared_campaign, number=1)
    assert first.agreed_lead_terms["retention_days"] == 365  # what was agreed stays pinned on its round


def test_the_api_refuses_approving_the_form_naming_why(shared_campaign, registration_form, alice):
    answer = api_of(alice).patch(f"/api/deliverables/{registration_form.pk}/", {"status": "approved"}, format="json")

    assert answer.status_code == 400
    assert NOT_AGREED in str(answer.json()["status"])


def test_the_admin_refuses_approving_the_form_under_its_status(shared_campaign, registration_form, alice):
    client = admin_of(alice)
    page = client.get(f"/admin/campaigns/deliverable/{registration_form.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"status": "approved", "version": registration_form.version})
    for prefix, formset in ((f.formset.prefix, f.formset) for f in page.context["inline_admin_formsets"]):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": formset.total_form_count(),
                f"{prefix}-INITIAL_FORMS": formset.initial_form_count(),
            }
        )
        for number, inline in enumerate(formset.forms):
            data.update({f"{prefix}-{number}-{name}": value for name, value in inline.initial.items() if value})

    answer = client.post(f"/admin/campaigns/deliverable/{registration_form.pk}/change/", data)

    assert answer.status_code == 200 and NOT_AGREED in answer.content.decode()
    assert Deliverable.objects.get(pk=registration_form.pk).status == Deliverable.Status.IN_PROGRESS


def test_a_planned_registration_form_is_flagged_until_the_terms_are_agreed(
    shared_campaign, registration_form, company_a, company_b
):
    registration_form.due_date = datetime.date(2026, 12, 1)
    save_validated(registration_form)
    now = datetime.datetime.now(datetime.UTC)

    (finding,) = find_lead_terms_not_agreed(Campaign.objects.open(), now)
    assert registered_checks["lead_terms_not_agreed"].severity == "critical"
    assert finding.subject == f"deliverable:{registration_form.pk}"
    assert finding.detail.startswith("The registration form “Sign-up form” (due 01 Dec 2026) cannot be approved")

    kpi(shared_campaign)
    terms_of(shared_campaign, company_a, company_b)
    agree_all(shared_campaign)
    assert list(find_lead_terms_not_agreed(Campaign.objects.open(), now)) == []


def test_every_party_edits_the_terms_and_an_outsider_does_not_see_them(
    shared_campaign, company_a, company_b, carol, charlie
):
    terms = terms_of(shared_campaign, company_a, company_b)

    changed = api_of(carol).patch(
        f"/api/lead-sharing-terms/{terms.pk}/", {"follow_up_days": 7, "version": terms.version}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["follow_up_days"] == 7
    assert api_of(charlie).get(f"/api/lead-sharing-terms/{terms.pk}/").status_code == 404
    assert api_of(charlie).get("/api/lead-shares/").json()["results"] == []


def test_the_first_contact_and_the_receiving_companies_are_parties(shared_campaign, company_a, company_b, company_c):
    with pytest.raises(ValidationError, match="is not a party of this campaign"):
        terms_of(shared_campaign, company_c, company_b)


def test_each_company_gets_its_own_tracking_link_to_the_registration_page(
    shared_campaign, registration_form, company_a, company_b, alice
):
    terms = terms_of(shared_campaign, company_a, company_b)
    registration_form.link = "https://events.example/ab-webinar"
    save_validated(registration_form)

    links = api_of(alice).get(f"/api/lead-sharing-terms/{terms.pk}/").json()["tracking_links"]

    assert [(link["organization_name"], link["url"]) for link in links] == [
        (
            "Company A",
            "https://events.example/ab-webinar?utm_source=company-a&utm_medium=partner&utm_campaign=a-and-b-webinar",
        ),
        (
            "Company B",
            "https://events.example/ab-webinar?utm_source=company-b&utm_medium=partner&utm_campaign=a-and-b-webinar",
        ),
    ]
    page = admin_of(alice).get(f"/admin/campaigns/leadsharingterms/{terms.pk}/change/").content.decode()
    assert "Company B: <code>https://events.example/ab-webinar?utm_source=company-b&amp;utm_medium=partner" in page


def test_the_results_report_shows_who_brought_the_registrants_and_the_terms_agreed(
    shared_campaign, company_a, company_b, alice
):
    kpi(shared_campaign)
    terms_of(shared_campaign, company_a, company_b)
    agree_all(shared_campaign)
    sources = [
        {"organization": company_a.pk, "name": "Company A", "registrants": 120, "attendees": 50},
        {"organization": company_b.pk, "name": "Company B", "registrants": 80, "attendees": 30},
        {"organization": None, "name": "No company's link", "registrants": 7, "attendees": 1},
    ]
    for name, registrants in (("registrations.csv", 150), ("attendees.csv", 207)):  # the latest export counts
        RegistrantImport.objects.create(
            campaign=shared_campaign, organization=company_a, period_start=timezone.localdate(),
            period_end=timezone.localdate(), file_name=name, file_sha256=name.ljust(64, "0"), registrants=registrants,
            attendees=81, by_source=sources, imported_by=alice.person,
        )  # fmt: skip

    html = render_to_string("campaigns/report/results.html", results_context(shared_campaign, timezone.now()))
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())  # as a reader reads it, cell by cell

    assert "Brought by Registrants Attendees Company A 120 50 Company B 80 30 No company's link 7 1 All 207 81" in text
    assert "From the platform's export “attendees.csv”" in text
    assert "Company A receives: E-mail address, Name" in text
    assert "Company B receives: E-mail address" in text
    assert "Company A contacts the leads first, within 5 days; registrants' data is kept 365 days." in text
    assert "“I agree that both companies may contact me about this webinar.”" in text


def test_a_report_without_an_export_or_terms_says_so(shared_campaign):
    html = render_to_string("campaigns/report/results.html", results_context(shared_campaign, timezone.now()))

    assert "No registrant export was imported." in html and "No lead-sharing terms were agreed." in html
