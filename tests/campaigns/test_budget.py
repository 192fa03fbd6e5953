from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import BudgetLine, CampaignBudget, CampaignKpi, ExchangeRate, KpiMeasurement, Metric
from campaigns.selectors.budget import budget_summary, money
from tests.conftest import member_of_user
from utilities.validation import save_validated

PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def budget_owner(shared_campaign, bob):
    member_of_user(shared_campaign, bob, is_budget_owner=True)
    return bob


def line_of(campaign, company, what="Webinar platform", planned="1000", currency="EUR", **fields) -> BudgetLine:
    return save_validated(
        BudgetLine(
            campaign=campaign,
            organization=company,
            what=what,
            currency=currency,
            planned_amount=Decimal(planned),
            **fields,
        )
    )


def test_it_lets_a_partner_neither_see_nor_change_the_hosts_private_line(api, shared_campaign, company_a, carol):
    line = line_of(shared_campaign, company_a)
    client = api.as_user(carol)
    assert client.get(f"/api/budget-lines/{line.pk}/").status_code == 404
    assert client.patch(f"/api/budget-lines/{line.pk}/", {"planned_amount": "1"}, format="json").status_code == 404
    assert client.get("/api/budget-lines/", {"campaign": shared_campaign.pk}).json()["results"] == []


def test_it_shows_a_shared_line_to_the_partner_but_refuses_its_change(api, client, shared_campaign, company_a, carol):
    line = line_of(shared_campaign, company_a, is_shared=True)
    api.as_user(carol)
    assert api.get(f"/api/budget-lines/{line.pk}/").json()["what"] == "Webinar platform"
    refused = api.patch(f"/api/budget-lines/{line.pk}/", {"planned_amount": "1"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the company it belongs to may change this budget line."
    client.force_login(carol)
    page = client.post(
        f"/admin/campaigns/budgetline/{line.pk}/change/",
        {"what": "Cheaper", "currency": "EUR", "planned_amount": "1", "committed_amount": "0", "actual_amount": "0"},
    )
    assert page.status_code == 403
    line.refresh_from_db()
    assert (line.what, line.planned_amount) == ("Webinar platform", Decimal("1000.00"))


def test_it_makes_a_line_the_companys_own_whatever_the_client_sends(api, shared_campaign, company_b, alice):
    created = api.as_user(alice).post(
        "/api/budget-lines/",
        {
            "campaign": shared_campaign.pk,
            "organization": company_b.pk,
            "what": "Ads",
            "currency": "EUR",
            "planned_amount": "500",
            "status": "approved",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["organization"] == alice.person.organization_id
    assert created.json()["status"] == "planned"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("planned_amount", "-5", "Ensure this value is greater than or equal to 0."),
        ("planned_amount", "5000000000", "Ensure this value is less than or equal to 1000000000."),
        ("planned_amount", "12,5", "A valid number is required."),
        ("currency", "EURO", '"EURO" is not a valid choice.'),
        ("what", "two\nlines", "Write this on one line (no line breaks)."),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(api, shared_campaign, alice, field, value, message):
    body = {"campaign": shared_campaign.pk, "what": "Ads", "currency": "EUR", "planned_amount": "500", field: value}
    answer = api.as_user(alice).post("/api/budget-lines/", body, format="json")
    assert answer.status_code == 400
    assert message in str(answer.json()[field])


def test_only_the_companys_budget_owner_approves(api, shared_campaign, company_a, alice, carol, budget_owner):
    line = line_of(shared_campaign, company_a, is_shared=True)
    refused = api.as_user(alice).post(f"/api/budget-lines/{line.pk}/approve/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Only the budget owner of Company A on this campaign (Bob) approves its budget lines."
    )
    assert api.as_user(carol).post(f"/api/budget-lines/{line.pk}/approve/").status_code == 403
    approved = api.as_user(budget_owner).post(f"/api/budget-lines/{line.pk}/approve/")
    assert approved.status_code == 200
    assert approved.json()["approval"] == "Approved by Bob (1,000.00 EUR)"


def test_a_company_with_no_budget_owner_is_told_to_name_one(api, shared_campaign, company_a, alice):
    line = line_of(shared_campaign, company_a)
    refused = api.as_user(alice).post(f"/api/budget-lines/{line.pk}/approve/")
    assert refused.status_code == 403
    assert "it has named none: tick “budget owner”" in refused.json()["detail"]


def test_an_amount_change_after_approval_reopens_the_line_and_other_edits_keep_it(
    api, shared_campaign, company_a, budget_owner
):
    line = line_of(shared_campaign, company_a)
    api.as_user(budget_owner).post(f"/api/budget-lines/{line.pk}/approve/")
    kept = api.patch(f"/api/budget-lines/{line.pk}/", {"what": "Zoom Webinars", "actual_amount": "900"}, format="json")
    assert kept.json()["status"] == "approved"
    reopened = api.patch(f"/api/budget-lines/{line.pk}/", {"planned_amount": "1500"}, format="json").json()
    assert reopened["status"] == "planned"
    assert reopened["approval"] == ("Awaiting approval again: 1,000.00 EUR was approved, then the amount changed")
    assert reopened["approved_amount"] == "1000.00"


def test_the_admin_approves_for_the_budget_owner_only(client, shared_campaign, company_a, alice, budget_owner):
    line = line_of(shared_campaign, company_a)
    body = {"action": "approve", "_selected_action": [line.pk]}
    client.force_login(alice)
    client.post("/admin/campaigns/budgetline/", body)
    line.refresh_from_db()
    assert line.status == "planned"
    client.force_login(budget_owner)
    client.post("/admin/campaigns/budgetline/", body)
    line.refresh_from_db()
    assert (line.status, line.approved_by, line.approved_amount) == ("approved", bob_person(budget_owner), 1000)


def bob_person(user):
    return user.person


def test_a_receipt_is_the_paying_companys_until_the_line_is_shared(
    api, client, shared_campaign, company_a, alice, carol
):
    line = line_of(shared_campaign, company_a)
    uploaded = api.as_user(alice).post(
        f"/api/budget-lines/{line.pk}/receipt/", {"receipt": SimpleUploadedFile("invoice.pdf", PDF)}
    )
    assert uploaded.status_code == 200, uploaded.content
    url = f"/files/budget-lines/{line.pk}/receipt/"
    client.force_login(alice)
    assert b"".join(client.get(url).streaming_content) == PDF
    client.force_login(carol)
    assert client.get(url).status_code == 404
    line.is_shared = True
    line.save()
    assert client.get(url).status_code == 200


def test_a_receipt_must_be_what_its_name_says(api, shared_campaign, company_a, alice):
    line = line_of(shared_campaign, company_a)
    refused = api.as_user(alice).post(
        f"/api/budget-lines/{line.pk}/receipt/", {"receipt": SimpleUploadedFile("invoice.pdf", b"MZ not a pdf")}
    )
    assert refused.status_code == 400
    assert "“invoice.pdf” does not contain what its name says" in str(refused.json())


def test_totals_are_converted_into_the_reporting_currency(shared_campaign, company_a, company_b):
    budget = save_validated(CampaignBudget(campaign=shared_campaign, reporting_currency="EUR"))
    save_validated(ExchangeRate(budget=budget, currency="USD", rate=Decimal("0.9")))
    line_of(shared_campaign, company_a, planned="1000", actual_amount=Decimal("250"))
    line_of(shared_campaign, company_b, planned="2000", currency="USD", actual_amount=Decimal("100"))
    line_of(shared_campaign, company_b, planned="300", currency="GBP")  # no rate yet
    summary = budget_summary(shared_campaign)
    by_name = {company.name: company for company in summary.companies}
    assert (by_name["Company A"].planned, by_name["Company A"].spend) == (Decimal("1000.00"), Decimal("250.00"))
    # 2,000 USD at 0.9 = 1,800 EUR; 100 USD = 90 EUR
    assert (by_name["Company B"].planned, by_name["Company B"].spend) == (Decimal("1800.00"), Decimal("90.00"))
    assert (summary.total.planned, summary.total.spend) == (Decimal("2800.00"), Decimal("340.00"))
    assert summary.unconverted == ["300 GBP"]


def test_a_partner_reads_every_companys_totals_but_not_its_private_lines(api, shared_campaign, company_a, carol):
    line_of(shared_campaign, company_a, planned="1000", actual_amount=Decimal("400"))
    answer = api.as_user(carol).get("/api/budget-lines/summary/", {"campaign": shared_campaign.pk}).json()
    assert answer["currency"] == "EUR"
    assert [(c["company"], c["planned"], c["spend"]) for c in answer["companies"]] == [
        ("Company A", "1000.00", "400.00"),
        ("Company B", "0.00", "0.00"),
    ]
    assert api.get("/api/budget-lines/", {"campaign": shared_campaign.pk}).json()["results"] == []


def test_an_outsider_reads_no_totals(api, shared_campaign, charlie):
    assert api.as_user(charlie).get("/api/budget-lines/summary/", {"campaign": shared_campaign.pk}).status_code == 404


def test_money_reads_as_people_write_it():
    assert money(Decimal("41.00"), "EUR") == "41 EUR"
    assert money(Decimal("1234.5"), "USD") == "1,234.50 USD"
    assert money(None, "EUR") == "—"


def metric(code: str, unit: str = "count") -> Metric:
    return Metric.objects.get_or_create(code=code, defaults={"name": code, "unit": unit, "funnel_stage": "marketing"})[
        0
    ]


def report(campaign, user, code: str, value: str, currency: str = "", unit: str = "count") -> None:
    kpi = CampaignKpi.objects.filter(campaign=campaign, metric__code=code).first() or save_validated(
        CampaignKpi(
            campaign=campaign, metric=metric(code, unit), target=Decimal(1), currency=currency, owner=org(campaign)
        )
    )
    today = timezone.localdate()
    save_validated(
        KpiMeasurement(
            campaign=campaign,
            kpi=kpi,
            period_start=today,
            period_end=today,
            value=Decimal(value),
            reported_by=user.person,
        )
    )


def org(campaign):
    return campaign.parties.get(role="host").organization


@pytest.fixture
def spent(shared_campaign, company_a, company_b, alice, carol):
    """A spends 300 EUR, B 200 USD at 0.5 EUR; A reports 6 leads and 80 registrations, B 4 leads and a
    pipeline of 2,000 USD."""
    budget = save_validated(CampaignBudget(campaign=shared_campaign, reporting_currency="EUR"))
    save_validated(ExchangeRate(budget=budget, currency="USD", rate=Decimal("0.5")))
    line_of(shared_campaign, company_a, planned="250", actual_amount=Decimal("300"))
    line_of(shared_campaign, company_b, planned="400", currency="USD", actual_amount=Decimal("200"))
    report(shared_campaign, alice, "net_new_leads", "6")
    report(shared_campaign, alice, "registrations", "80")
    report(shared_campaign, carol, "net_new_leads", "4")
    report(shared_campaign, carol, "pipeline_value", "2000", currency="USD", unit="money")
    return shared_campaign


def test_costs_per_result_and_roi_by_hand(spent):
    summary = budget_summary(spent)
    # 300 EUR + 200 USD x 0.5 = 400 EUR spent; 10 leads, 80 registrations, 2,000 USD = 1,000 EUR of pipeline.
    assert summary.total.spend == Decimal("400.00")
    assert summary.total.cost_per_lead == Decimal("40.00")
    assert summary.cost_lines() == [
        ("Cost per registration", "5 EUR"),
        ("Cost per lead", "40 EUR"),
        ("Cost per EUR of pipeline", "0.40 EUR"),
    ]
    assert summary.total.roi == Decimal("2.5")
    a, b = summary.companies
    assert (a.name, a.cost_per_lead, a.roi) == ("Company A", Decimal("50.00"), None)  # 300 / 6; no pipeline of its own
    assert (b.name, b.cost_per_lead, b.roi) == ("Company B", Decimal("25.00"), Decimal("10.0"))  # 100 / 4; 1,000/100


def test_the_home_page_shows_each_companys_totals_and_what_they_bought(client, spent, carol):
    client.force_login(carol)
    page = client.get(f"/admin/campaigns/campaign/{spent.pk}/home/").content.decode()
    assert "<h2>Budget</h2>" in page or ">Budget<" in page
    assert "<td>Company A</td><td>250 EUR</td>" in page
    assert "50 EUR over plan" in page
    assert "Cost per lead: <strong>40 EUR</strong>" in page
    assert "<td><strong>2.5x</strong></td>" in page  # pipeline on spend, both companies


def test_the_home_page_says_when_nothing_is_known(client, shared_campaign, company_a, alice):
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{shared_campaign.pk}/home/"
    assert "No budget lines yet: no spend recorded yet." in client.get(url).content.decode()
    line_of(shared_campaign, company_a)
    assert "No spend recorded yet." in client.get(url).content.decode()


def test_the_operator_does_not_approve_for_a_company(api, shared_campaign, company_a, operator, budget_owner):
    line = line_of(shared_campaign, company_a)
    refused = api.as_user(operator).post(f"/api/budget-lines/{line.pk}/approve/")
    assert refused.status_code == 400
    assert "the operator does not approve for a company" in str(refused.json())
    line.refresh_from_db()
    assert line.status == "planned"
