"""Registrants' personal data (issue 29, item 3): kept per person of an imported export, read as the agreed
lead-sharing terms say. The importing company reads all of its file; another company reads registrants only once
every company agreed terms that name it, and of them only the fields the terms give it; a company the terms do not
name reads nothing, through the API, the admin, filters and ordering alike."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import LeadShare, LeadSharingTerms, Registrant
from campaigns.services import kpis as kpi_services
from campaigns.services.registrants import registrants_import
from tests.campaigns.factories import joint_campaign
from tests.campaigns.kickoff_factories import agree_all, kpi
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 11, 16), datetime.date(2026, 11, 22)
ZOOM = (
    b"First Name,Last Name,Email,Organization,Job Title,Phone,Attended,utm_source\n"
    b"Ada,Lovelace,ada@engines.example,Analytical Engines,Analyst,+44 20 7946 0000,Yes,company-a\n"
    b"Grace,Hopper,grace@navy.example,US Navy,Rear Admiral,+1 202 555 0100,No,company-b\n"
)


@pytest.fixture
def campaign(company_a, company_b, company_c, alice, carol, charlie):
    """A hosts, B and C take part; A imports its platform's export."""
    campaign = joint_campaign(company_a, company_b, company_c, name="A, B and C webinar")
    for user in (alice, carol, charlie):
        member_of_user(campaign, user)
    kpi(campaign, "registrations", target="300")
    registrants_import(
        campaign=campaign,
        person=alice.person,
        stream=SimpleUploadedFile("zoom.csv", ZOOM).file,
        file_name="zoom.csv",
        period_start=START,
        period_end=END,
    )
    return campaign


def agree_terms(campaign, *shares):
    """Terms giving each (company, field) of `shares`, agreed by every company."""
    terms = kpi_services.agreed_terms_save(
        row=LeadSharingTerms(
            campaign=campaign,
            consent_text="I agree that Company A and Company B may contact me.",
            retention_days=180,
            first_contact=campaign.parties.get(role="host").organization,
            follow_up_days=5,
        ),
        campaign=campaign,
    )
    for organization, field in shares:
        kpi_services.agreed_terms_save(
            row=LeadShare(terms=terms, organization=organization, field=field), campaign=campaign
        )
    agree_all(campaign)


def listed(user, **query) -> list[dict]:
    answer = api_of(user).get("/api/registrants/", query)
    assert answer.status_code == 200
    return answer.json()["results"]


def hidden_in_admin(user, registrant) -> bool:
    """The admin answers a hidden registrant as it answers a missing one (Django's admin: back to its index)."""
    client = admin_of(user)
    hidden = client.get(f"/admin/campaigns/registrant/{registrant.pk}/change/")
    missing = client.get("/admin/campaigns/registrant/987654/change/")
    return (hidden.status_code, hidden.get("Location")) == (missing.status_code, missing.get("Location")) != (200, None)


def personal(row: dict) -> dict:
    return {name: row[name] for name in ("email", "name", "company", "job_title", "phone", "attended")}


def test_the_importing_company_reads_every_field_of_its_file(campaign, alice, company_b):
    rows = listed(alice)

    assert [personal(row) for row in rows] == [
        {
            "email": "ada@engines.example",
            "name": "Ada Lovelace",
            "company": "Analytical Engines",
            "job_title": "Analyst",
            "phone": "+44 20 7946 0000",
            "attended": True,
        },
        {
            "email": "grace@navy.example",
            "name": "Grace Hopper",
            "company": "US Navy",
            "job_title": "Rear Admiral",
            "phone": "+1 202 555 0100",
            "attended": False,
        },
    ]
    assert [row["source_organization_name"] for row in rows] == ["Company A", "Company B"]


def test_until_terms_are_agreed_no_other_company_reads_anyone(campaign, carol, charlie):
    registrant = Registrant.objects.first()

    for user in (carol, charlie):
        assert listed(user) == []
        assert api_of(user).get(f"/api/registrants/{registrant.pk}/").status_code == 404
        assert hidden_in_admin(user, registrant)


def test_a_named_company_reads_only_the_fields_the_terms_give_it(campaign, company_a, company_b, carol):
    agree_terms(campaign, (company_a, "name"), (company_b, "email"))

    rows = listed(carol)

    assert [personal(row) for row in rows] == [
        {"email": "ada@engines.example", "name": None, "company": None, "job_title": None, "phone": None,
         "attended": None},
        {"email": "grace@navy.example", "name": None, "company": None, "job_title": None, "phone": None,
         "attended": None},
    ]  # fmt: skip
    page = admin_of(carol).get(f"/admin/campaigns/registrant/{Registrant.objects.first().pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "ada@engines.example" in text
    assert not any(secret in text for secret in ("Lovelace", "Analytical Engines", "Analyst", "7946"))
    changelist = admin_of(carol).get("/admin/campaigns/registrant/").content.decode()
    assert "grace@navy.example" in changelist and "Hopper" not in changelist and "US Navy" not in changelist


def test_a_company_the_terms_do_not_name_reads_nothing_anywhere(campaign, company_a, company_b, charlie):
    agree_terms(campaign, (company_a, "name"), (company_b, "email"))
    registrant = Registrant.objects.first()

    assert listed(charlie) == []
    assert listed(charlie, campaign=campaign.pk) == []
    assert api_of(charlie).get(f"/api/registrants/{registrant.pk}/").status_code == 404
    assert api_of(charlie).delete(f"/api/registrants/{registrant.pk}/").status_code == 404
    admin = admin_of(charlie)
    assert hidden_in_admin(charlie, registrant)
    changelist = admin.get("/admin/campaigns/registrant/").content.decode()
    assert "ada@engines.example" not in changelist and "Lovelace" not in changelist
    assert "0 registrants" in changelist


def test_ordering_never_sorts_by_a_field_the_reader_may_not_read(campaign, company_b, carol):
    agree_terms(campaign, (company_b, "email"))

    by_name = listed(carol, ordering="-name")
    by_row = listed(carol, ordering="-row")

    assert [row["row"] for row in by_name] == [2, 3]  # ordering by a personal field is not offered: file order
    assert [row["row"] for row in by_row] == [3, 2]


def test_terms_agreed_again_without_a_company_take_its_registrants_away(campaign, company_a, company_b, carol):
    agree_terms(campaign, (company_b, "email"))
    assert len(listed(carol)) == 2

    kpi_services.kpi_round_start(campaign=campaign, user=None, reason="B no longer receives leads")
    assert len(listed(carol)) == 2  # an open round changes nothing: the terms agreed last still hold
    LeadShare.objects.filter(organization=company_b).delete()
    agree_all(campaign)

    assert listed(carol) == []


def test_the_importing_company_may_erase_a_registrant_and_a_receiver_may_not(campaign, company_b, alice, carol):
    agree_terms(campaign, (company_b, "email"))
    registrant = Registrant.objects.first()

    assert api_of(carol).delete(f"/api/registrants/{registrant.pk}/").status_code == 403
    assert api_of(alice).delete(f"/api/registrants/{registrant.pk}/").status_code == 204
    assert not Registrant.objects.filter(pk=registrant.pk).exists()


def test_the_operator_reads_everything(campaign, operator):
    rows = listed(operator)

    assert [row["name"] for row in rows] == ["Ada Lovelace", "Grace Hopper"]


def test_registrants_are_erased_once_the_agreed_retention_has_passed_and_their_counts_stay(
    campaign, company_a, company_b
):
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import RegistrantImport
    from campaigns.services.registrants import registrants_past_retention_erase
    from campaigns.tasks import registrant_retention_sweep

    now = timezone.now()
    assert registrants_past_retention_erase(now=now + timedelta(days=400)) == 0  # no terms agreed: none to apply

    agree_terms(campaign, (company_b, "email"))  # 180 days
    assert registrants_past_retention_erase(now=now + timedelta(days=179)) == 0
    assert registrants_past_retention_erase(now=now + timedelta(days=181)) == 2
    assert registrant_retention_sweep() == {"erased": 0}  # run again: nothing more

    assert not Registrant.objects.exists()
    assert RegistrantImport.objects.get().registrants == 2


def download(user, ids) -> str:
    answer = admin_of(user).post(
        "/admin/campaigns/registrant/", {"action": "download_csv", "_selected_action": ids, "index": 0}
    )
    return answer.content.decode() if answer["Content-Type"].startswith("text/csv") else ""


def test_the_csv_download_holds_only_what_the_reader_may_read(campaign, company_b, alice, carol, charlie):
    agree_terms(campaign, (company_b, "email"))
    ids = list(Registrant.objects.values_list("pk", flat=True))

    theirs = download(carol, ids).splitlines()
    assert theirs == [
        "Brought by,E-mail address,Name,Company,Job title,Phone number,Country,Attended",
        "Company A,ada@engines.example,,,,,,",
        "Company B,grace@navy.example,,,,,,",
    ]
    assert "Lovelace" in download(alice, ids) and "'+44 20 7946 0000" in download(alice, ids)
    assert download(charlie, ids).splitlines()[1:] == []  # none of them is theirs to select: the header alone
