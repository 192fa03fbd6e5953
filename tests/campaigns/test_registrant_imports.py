"""Registrants counted per source company from a webinar platform's export (issue 29, item 3): each company's
tracking link carries its utm_source; the export's columns are mapped once per campaign; the same file is counted
once; the registrations and attendees KPIs take the figures instead of typed ones."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import KpiMeasurement, RegistrantImport
from tests.campaigns.kickoff_factories import kpi
from tests.clients import api_of

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 11, 16), datetime.date(2026, 11, 22)
# GoTo Webinar style: "Email Address", "Attended"; the source is the tracking link's utm_source.
GOTO = (
    b"First Name,Last Name,Email Address,Registration Date,Attended,utm_source\n"
    b"Ada,Lovelace,ada@example.com,11/17/2026,Yes,company-a\n"
    b"Alan,Turing,alan@example.com,11/17/2026,No,company-a\n"
    b"Grace,Hopper,grace@example.com,11/18/2026,Yes,company-b\n"
    b"Linus,T,linus@example.com,11/18/2026,Yes,\n"
)


@pytest.fixture
def campaign(shared_campaign):
    kpi(shared_campaign, "registrations", target="300")
    kpi(shared_campaign, "attendees", target="100")
    return shared_campaign


def post(user, campaign, content: bytes, name="registrants.csv", **extra):
    return api_of(user).post(
        "/api/registrant-imports/",
        {
            "campaign": campaign.pk,
            "period_start": START,
            "period_end": END,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
            **extra,
        },
        format="multipart",
    )


def figures(campaign) -> dict[str, int]:
    rows = KpiMeasurement.objects.filter(campaign=campaign).select_related("kpi__metric")
    return {row.kpi.metric.code: int(row.value) for row in rows}


def test_registrants_and_attendees_are_counted_per_source_company_and_fill_the_kpis(campaign, alice, company_a):
    answer = post(alice, campaign, GOTO)

    assert answer.status_code == 201
    body = answer.json()
    assert (body["registrants"], body["attendees"]) == (4, 3)
    assert [(row["name"], row["registrants"], row["attendees"]) for row in body["by_source"]] == [
        ("Company A", 2, 1),
        ("Company B", 1, 1),
        ("No company's link", 1, 1),
    ]
    assert body["columns"] == {
        "email": "Email Address",
        "attended": "Attended",
        "source": "utm_source",
        "first_name": "First Name",
        "last_name": "Last Name",
    }
    assert figures(campaign) == {"registrations": 4, "attendees": 3}
    assert set(KpiMeasurement.objects.values_list("organization", flat=True)) == {company_a.pk}


def test_the_same_file_is_counted_once(campaign, alice):
    first = post(alice, campaign, GOTO)
    again = post(alice, campaign, GOTO, name="renamed.csv")

    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert RegistrantImport.objects.count() == 1 and figures(campaign) == {"registrations": 4, "attendees": 3}


def test_columns_mapped_once_are_used_for_the_campaigns_next_file(campaign, alice):
    custom = b"Mail;Was there;Ref\nada@example.com;yes;company-b\n"
    refused = post(alice, campaign, custom, preview=True)
    assert refused.json() == {
        "non_field_errors": [
            "Semicolon-separated, UTF-8: no email column among 'Mail', 'Was there', 'Ref'; "
            "choose the column that holds each registrant's email."
        ]
    }

    mapped = {"email_column": "Mail", "attended_column": "Was there", "source_column": "Ref"}
    assert post(alice, campaign, custom, **mapped).status_code == 201

    next_file = post(alice, campaign, custom + b"bob@example.com;no;company-a\n", preview=True).json()
    assert next_file["columns"] == {"email": "Mail", "attended": "Was there", "source": "Ref"}
    assert (next_file["registrants"], next_file["attendees"]) == (2, 1)


def test_a_bad_row_names_how_the_file_was_read_its_row_and_column(campaign, alice):
    answer = post(alice, campaign, GOTO + b"No,Mail,not-an-address,11/19/2026,No,company-b\n")

    assert answer.status_code == 400
    assert answer.json() == {
        "non_field_errors": [
            "Comma-separated, UTF-8; row 6, column “Email Address”: “not-an-address” is not an e-mail address."
        ]
    }
    assert not RegistrantImport.objects.exists() and not KpiMeasurement.objects.exists()


def test_an_outsider_neither_imports_nor_sees_the_counts(campaign, alice, charlie):
    post(alice, campaign, GOTO)

    assert post(charlie, campaign, GOTO).status_code == 400  # the campaign is not one of theirs to choose
    assert api_of(charlie).get("/api/registrant-imports/").json()["results"] == []


def test_the_admin_uploads_previews_maps_a_column_and_saves(campaign, alice, carol):
    from campaigns.models import Registrant
    from tests.clients import admin_of

    client = admin_of(alice)
    form = {"campaign": campaign.pk, "period_start": START, "period_end": END}
    custom = b"Mail;Was there;Ref;Full Name\nada@example.com;yes;company-b;Ada Lovelace\nalan@example.com;no;;Alan T\n"

    refused = client.post(
        "/admin/campaigns/registrantimport/add/", {**form, "file": SimpleUploadedFile("r.csv", custom)}
    )
    assert "no email column among" in refused.content.decode()

    preview = client.post(
        "/admin/campaigns/registrantimport/add/",
        {**form, "file": SimpleUploadedFile("r.csv", custom), "email_column": "Mail", "attended_column": "Was there"},
    )
    page = preview.content.decode()
    assert "What this file holds" in page and "<strong>2</strong> registrants, <strong>1</strong> attendees" in page
    assert not RegistrantImport.objects.exists()
    kept = preview.context["form"]["content"].value()

    stolen = admin_of(carol).post(
        "/admin/campaigns/registrantimport/add/", {**form, "content": kept, "file_name": "r.csv", "save": "1"}
    )
    assert "no longer kept" in stolen.content.decode() and not RegistrantImport.objects.exists()

    saved = client.post(
        "/admin/campaigns/registrantimport/add/",
        {**form, "content": kept, "file_name": "r.csv", "email_column": "Mail", "attended_column": "Was there",
         "source_column": "Ref", "save": "1"},
    )  # fmt: skip
    assert saved.status_code == 302
    assert figures(campaign) == {"registrations": 2, "attendees": 1}
    assert list(Registrant.objects.values_list("email", "name", "attended")) == [
        ("ada@example.com", "Ada Lovelace", True),
        ("alan@example.com", "Alan T", False),
    ]
    assert RegistrantImport.objects.get().columns == {
        "email": "Mail",
        "attended": "Was there",
        "source": "Ref",
        "name": "Full Name",
    }
