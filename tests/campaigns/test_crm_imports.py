"""A company's CRM export becomes the period's figures: each company's own statuses map to the shared funnel,
a bad row is named and nothing is saved, and uploading the same period twice gives the same figures."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import CrmImport, KpiMeasurement, LeadStatusMapping
from tests.campaigns.factories import joint_campaign
from tests.campaigns.kickoff_factories import kpi, measurement, reporting_plan
from tests.clients import admin_of, api_of

START, END = datetime.date(2026, 11, 16), datetime.date(2026, 11, 22)
# Company A calls them one way, company B another.
A_STATUSES = {
    "New": "new",
    "Nurturing": "working",
    "Marketing Qualified": "mql",
    "Sales Accepted": "sql",
    "Junk": "disqualified",
}
B_STATUSES = {"Open": "new", "MQL": "mql", "SQL": "sql", "Won": "won"}


@pytest.fixture
def campaign(company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    plan = reporting_plan(campaign)
    for organization, statuses in ((company_a, A_STATUSES), (company_b, B_STATUSES)):
        for crm_status, stage in statuses.items():
            LeadStatusMapping.objects.create(
                plan=plan, organization=organization, crm_status=crm_status, shared_stage=stage
            )
    for code in ("net_new_leads", "mqls", "sqls"):
        kpi(campaign, code, target="100")
    return campaign


def upload(client, campaign, rows, *, preview=False, header="Email,Lead Status"):
    body = "\n".join([header, *rows]).encode()
    return client.post(
        "/api/crm-imports/",
        {
            "campaign": campaign.pk,
            "period_start": START,
            "period_end": END,
            "preview": preview,
            "file": SimpleUploadedFile("leads.csv", body, content_type="text/csv"),
        },
        format="multipart",
    )


def figures(campaign, organization):
    rows = KpiMeasurement.objects.filter(campaign=campaign, reported_by__organization=organization)
    return {m.kpi.metric.code: int(m.value) for m in rows.select_related("kpi__metric")}


def test_each_companys_statuses_map_to_the_shared_funnel(campaign, alice, carol, company_a, company_b):
    a_rows = [
        "a1@x.com,New",
        "a2@x.com,Nurturing",
        "a3@x.com,Marketing Qualified",
        "a4@x.com,Sales Accepted",
        "a5@x.com,Junk",
    ]
    b_rows = ["b1@x.com,Open", "b2@x.com,MQL", "b3@x.com,SQL", "b4@x.com,Won", "b5@x.com,won"]  # case does not matter

    assert upload(api_of(alice), campaign, a_rows).status_code == 201
    assert upload(api_of(carol), campaign, b_rows).status_code == 201

    # The funnel is cumulative: an SQL was an MQL and a new lead; junk is not a lead.
    assert figures(campaign, company_a) == {"net_new_leads": 4, "mqls": 2, "sqls": 1}
    assert figures(campaign, company_b) == {"net_new_leads": 5, "mqls": 4, "sqls": 3}


def test_a_preview_saves_nothing(campaign, alice):
    response = upload(api_of(alice), campaign, ["a1@x.com,New", "a2@x.com,Sales Accepted"], preview=True)

    assert response.status_code == 200
    assert response.json() == {
        "rows": 2,
        "leads_by_stage": {"New lead": 1, "SQL": 1},
        "figures": {"mqls": 1, "net_new_leads": 2, "sqls": 1},
        "status_column": "Lead Status",
        "columns": ["Email", "Lead Status"],
        "detected": "Comma-separated, UTF-8",
    }
    assert not KpiMeasurement.objects.exists() and not CrmImport.objects.exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ["a1@x.com,New", "a2@x.com,Maybe later"],
            "Comma-separated, UTF-8; row 3, column “Lead Status”: “Maybe later” is not mapped",
        ),
        (["a1@x.com,New", "a2@x.com,"], "Comma-separated, UTF-8; row 3, column “Lead Status”: the status is empty."),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_saved(campaign, alice, rows, message):
    response = upload(api_of(alice), campaign, rows)

    assert response.status_code == 400 and message in str(response.json())
    assert not KpiMeasurement.objects.exists() and not CrmImport.objects.exists()


def test_a_file_without_a_status_column_is_refused(campaign, alice):
    response = upload(api_of(alice), campaign, ["a1@x.com,New"], header="Email,Stage name")
    assert response.json() == {
        "non_field_errors": [
            "Comma-separated, UTF-8: no status column among 'Email', 'Stage name'; "
            "choose the column that holds each lead's status."
        ]
    }


def test_uploading_the_same_period_twice_gives_the_same_figures(campaign, alice, company_a):
    rows = ["a1@x.com,New", "a2@x.com,Marketing Qualified"]
    upload(api_of(alice), campaign, rows)
    upload(api_of(alice), campaign, rows)

    assert figures(campaign, company_a) == {"net_new_leads": 2, "mqls": 1, "sqls": 0}
    assert KpiMeasurement.objects.count() == 3 and CrmImport.objects.count() == 1


def test_an_outsider_cannot_import_into_the_campaign(campaign, charlie):
    response = upload(api_of(charlie), campaign, ["c@x.com,New"])
    assert response.status_code == 400 and "campaign" in response.json()


def test_the_admin_previews_then_saves(campaign, carol, company_b):
    client = admin_of(carol)
    body = b"Email;Lead Status\nb1@x.com;Open\nb2@x.com;SQL\n"  # a semicolon export is read too
    form = {"campaign": campaign.pk, "period_start": START, "period_end": END}

    preview = client.post("/admin/campaigns/crmimport/add/", {**form, "file": SimpleUploadedFile("l.csv", body)})
    page = preview.content.decode()
    assert "What this file would record" in page and "Net-new leads: <strong>2</strong>" in page
    assert not KpiMeasurement.objects.exists()

    content = preview.context["form"]["content"].value()
    saved = client.post(
        "/admin/campaigns/crmimport/add/", {**form, "content": content, "file_name": "l.csv", "save": "1"}
    )
    assert saved.status_code == 302
    assert figures(campaign, company_b) == {"net_new_leads": 2, "mqls": 1, "sqls": 1}


def test_an_import_replaces_the_figure_typed_for_the_period_and_a_second_upload_updates_the_same_rows(
    campaign, alice, company_a
):
    leads = campaign.kpis.get(metric__code="net_new_leads")
    typed = measurement(leads, "10", by=alice.person, end=END)
    rows = ["a1@x.com,New", "a2@x.com,Marketing Qualified"]

    upload(api_of(alice), campaign, rows)
    first = dict(KpiMeasurement.objects.values_list("kpi__metric__code", "pk"))
    upload(api_of(alice), campaign, [*rows, "a3@x.com,New"])

    assert figures(campaign, company_a) == {"net_new_leads": 3, "mqls": 1, "sqls": 0}
    assert dict(KpiMeasurement.objects.values_list("kpi__metric__code", "pk")) == first
    assert first["net_new_leads"] == typed.pk  # one figure per company and period, whoever or whatever made it
    history = KpiMeasurement.objects.get(pk=typed.pk).history.order_by("history_date")
    assert [str(version.value) for version in history] == ["10.00", "2.00", "3.00"]
    assert CrmImport.objects.get().rows == 3
