"""Uploads are bounded while they are read, not after (issue 23, item 6): a 5 MB CRM export of one-character rows
took 546 MB before the row limit refused it, a zip of 200,000 members 147 MB to validate, and a CSV field over
131,072 characters or a file name of 250 characters answered 500. Each is refused with a message naming the
limit (and the row, or the field); memory is asserted with a wide margin (figures: tests/campaigns/bench_uploads.py)."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import BrandAsset, CrmImport, KpiMeasurement, LeadStatusMapping
from campaigns.models import assets as asset_rules
from campaigns.services import crm_imports
from tests.campaigns import test_crm_imports
from tests.campaigns.test_crm_imports import END, START, upload
from tests.clients import admin_of, api_of

pytestmark = pytest.mark.django_db
campaign = test_crm_imports.campaign  # the CRM tests' campaign fixture: two companies with mapped statuses


def peak_bytes(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def one_letter_status(campaign, company_a):
    """Company A's CRM writes "N" for a new lead, so a row can be a single character."""
    plan = campaign.reporting_plan
    LeadStatusMapping.objects.create(plan=plan, organization=company_a, crm_status="N", shared_stage="new")


def test_a_file_of_more_leads_than_the_limit_is_refused_while_it_is_read(campaign, alice, one_letter_status):
    rows = ["N"] * (crm_imports.MAX_ROWS + 1)
    response = upload(api_of(alice), campaign, rows, header="Lead Status")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The file has more than 100,000 leads; split it."]}
    assert not KpiMeasurement.objects.exists()


def test_a_file_of_exactly_the_limit_is_counted(campaign, alice, one_letter_status):
    rows = ["N"] * crm_imports.MAX_ROWS
    response = upload(api_of(alice), campaign, rows, header="Lead Status", preview=True)

    assert response.status_code == 200 and response.json()["rows"] == crm_imports.MAX_ROWS


def test_five_megabytes_of_one_character_rows_is_refused_in_little_memory(campaign, company_a, one_letter_status):
    content = b"Lead Status\n" + b"N\n" * ((crm_imports.MAX_BYTES - 12) // 2)

    def preview():
        with pytest.raises(Exception, match="more than 100,000 leads"):
            crm_imports.crm_import_preview(campaign=campaign, organization_id=company_a.pk, content=content)

    assert peak_bytes(preview) < 50 * 1024 * 1024  # it was 546 MB when every row was read into a list first


LONG_FIELD = "x" * 131_073  # one more than Python's csv module reads in a field


def test_a_field_longer_than_the_csv_reader_takes_is_refused_naming_the_row_in_the_api(campaign, alice):
    response = upload(api_of(alice), campaign, ["a1@x.com,New", f"{LONG_FIELD},New"])

    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert message.startswith("Comma-separated, UTF-8; row 3: this is not CSV as exported (field larger than field")
    assert not CrmImport.objects.exists()


def test_a_field_longer_than_the_csv_reader_takes_is_refused_naming_the_row_in_the_admin(campaign, alice):
    body = f"Email,Lead Status\n{LONG_FIELD},New\n".encode()
    answer = admin_of(alice).post(
        "/admin/campaigns/crmimport/add/",
        {"campaign": campaign.pk, "period_start": START, "period_end": END, "file": SimpleUploadedFile("l.csv", body)},
    )

    assert answer.status_code == 200
    assert "Comma-separated, UTF-8; row 2: this is not CSV as exported" in answer.content.decode()


def test_a_crm_period_out_of_bounds_is_refused_naming_the_field(campaign, alice):
    client = api_of(alice)
    answer = client.post(
        "/api/crm-imports/",
        {
            "campaign": campaign.pk,
            "period_start": "0001-01-01",
            "period_end": "9999-12-31",
            "preview": True,
            "file": SimpleUploadedFile("l.csv", b"Email,Lead Status\na@x.com,New\n"),
        },
        format="multipart",
    )

    assert answer.status_code == 400 and {"period_start", "period_end"} <= set(answer.json())


# --- Brand assets -----------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def zip_of(members: int, size: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(members):
            archive.writestr(f"logo-{number}.txt", b"0" * size)
    return buffer.getvalue()


def post_asset(user, shared_campaign, name: str, content: bytes):
    return api_of(user).post(
        "/api/brand-assets/",
        {"campaign": shared_campaign.pk, "kind": "logo", "title": "Logos", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_a_zip_of_more_members_than_the_limit_is_refused_from_its_directory_end(shared_campaign, alice):
    content = zip_of(asset_rules.ZIP_MAX_MEMBERS + 1)
    upload_file = SimpleUploadedFile("logos.zip", content)

    def validate():
        with pytest.raises(Exception, match="more than 10,000 files"):
            asset_rules.validate_brand_file(upload_file, "logos.zip")

    assert peak_bytes(validate) < 1024 * 1024  # the directory of 10,001 members is never listed
    response = post_asset(alice, shared_campaign, "logos.zip", content)
    assert response.status_code == 400
    assert response.json() == {"file": ["The archive holds more than 10,000 files, the most accepted."]}


def test_a_zip_that_unpacks_beyond_the_limit_is_refused(shared_campaign, alice, monkeypatch):
    monkeypatch.setattr(asset_rules, "ZIP_MAX_UNPACKED_BYTES", 1024 * 1024)
    response = post_asset(alice, shared_campaign, "logos.zip", zip_of(3, size=512 * 1024))

    assert response.status_code == 400
    assert response.json() == {"file": ["The archive unpacks to 2 MB; the limit is 1 MB."]}


def test_a_zip_within_the_limits_is_accepted(shared_campaign, alice):
    assert post_asset(alice, shared_campaign, "logos.zip", zip_of(20, size=100)).status_code == 201


LONG_NAME = "x" * 246 + ".png"  # 250 characters
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_file_name_of_250_characters_is_refused_naming_the_file_in_the_api(shared_campaign, alice):
    response = post_asset(alice, shared_campaign, LONG_NAME, PNG)

    assert response.status_code == 400
    assert response.json() == {
        "file": [
            f"“{'x' * 40}…”: the file's name is 250 characters long; rename it to at most 200 characters and upload "
            "it again."
        ]
    }
    assert not BrandAsset.objects.exists()


def test_a_file_name_of_250_characters_is_refused_under_the_field_in_the_admin(shared_campaign, alice):
    answer = admin_of(alice).post(
        "/admin/campaigns/brandasset/add/",
        {"campaign": shared_campaign.pk, "kind": "logo", "title": "Logo", "file": SimpleUploadedFile(LONG_NAME, PNG)},
    )

    assert answer.status_code == 200 and "file" in answer.context["adminform"].form.errors
    assert not BrandAsset.objects.exists()


def test_an_upload_larger_than_any_form_takes_is_refused_before_it_is_read(shared_campaign, alice, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = post_asset(alice, shared_campaign, "big.png", PNG + b"0" * (2 * 1024 * 1024))
    admin = admin_of(alice).post(
        "/admin/campaigns/brandasset/add/",
        {
            "campaign": shared_campaign.pk,
            "kind": "logo",
            "title": "Big",
            "file": SimpleUploadedFile("b.png", PNG * 40_000),
        },
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "The request is larger than 1 MB, the most this site accepts."}
    assert admin.status_code == 400 and not BrandAsset.objects.exists()
