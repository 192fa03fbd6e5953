import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import BrandAsset
from utilities.validation import save_validated

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def docx_bytes(part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BRAND_ASSET_MAX_UPLOAD_MB = 1
    return tmp_path


def upload(campaign, organization, name: str, content: bytes) -> BrandAsset:
    return save_validated(
        BrandAsset(
            campaign=campaign,
            organization=organization,
            kind="logo",
            title=name,
            file=SimpleUploadedFile(name, content),
        )
    )


def test_an_accepted_file_is_stored_privately_under_media_root(shared_campaign, company_a, private_media):
    asset = upload(shared_campaign, company_a, "logo.png", PNG)
    assert asset.content_type == "image/png" and asset.original_name == "logo.png"
    stored = private_media / asset.file.name
    assert stored.read_bytes() == PNG
    assert asset.file.name.startswith("private/brand-assets/") and "logo" not in asset.file.name
    assert asset.file.url == ""  # no public URL at all


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", b"<svg onload='alert(1)'/>", "SVG files can run scripts in a browser and are not accepted"),
        ("tool.exe", b"MZ" + b"0" * 10, "“tool.exe” is not an allowed file type. Allowed: docx, gif, jpeg, jpg"),
        ("logo.png", PDF, "“logo.png” does not contain what its name says: it is not a real .png file."),
        ("brief.pdf", b"<html><script>", "not a real .pdf file"),
        ("deck.pptx", docx_bytes(), "not a real .pptx file"),
        ("renamed.docx", b"PK\x03\x04not really a zip", "not a real .docx file"),
    ],
)
def test_it_refuses_forbidden_and_disguised_files(shared_campaign, company_a, name, content, message):
    with pytest.raises(ValidationError) as refused:
        upload(shared_campaign, company_a, name, content)
    assert message in refused.value.message_dict["file"][0]
    assert not BrandAsset.objects.exists()


def test_it_refuses_an_oversized_file(shared_campaign, company_a):
    with pytest.raises(ValidationError) as refused:
        upload(shared_campaign, company_a, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert refused.value.message_dict["file"] == ["“big.pdf” is 1.0 MB; the limit is 1 MB."]


def test_it_accepts_office_files_by_their_content(shared_campaign, company_a):
    assert upload(shared_campaign, company_a, "guide.docx", docx_bytes()).content_type.endswith(
        "wordprocessingml.document"
    )
    assert upload(shared_campaign, company_a, "deck.pptx", docx_bytes("ppt/presentation.xml")).content_type.endswith(
        "presentationml.presentation"
    )


def test_an_asset_needs_a_file_or_a_link(shared_campaign, company_a):
    with pytest.raises(ValidationError, match="Upload a file or give a link"):
        save_validated(BrandAsset(campaign=shared_campaign, organization=company_a, kind="logo", title="Nothing"))


def download_url(asset) -> str:
    return f"/files/brand-assets/{asset.pk}/download/"


def test_a_party_downloads_it_as_an_attachment_that_is_not_sniffed(client, shared_campaign, company_a, carol):
    asset = upload(shared_campaign, company_a, "logo.png", PNG)
    client.force_login(carol)
    response = client.get(download_url(asset))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"] == 'attachment; filename="logo.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_company_and_anonymous_visitors_get_404(client, shared_campaign, company_a, charlie):
    asset = upload(shared_campaign, company_a, "logo.png", PNG)
    assert client.get(download_url(asset)).status_code == 404
    client.force_login(charlie)
    assert client.get(download_url(asset)).status_code == 404
    assert client.get("/files/brand-assets/999999/download/").status_code == 404


def test_the_api_upload_refuses_svg_with_a_clear_message(api, shared_campaign, alice):
    response = api.as_user(alice).post(
        "/api/brand-assets/",
        {
            "campaign": shared_campaign.pk,
            "kind": "logo",
            "title": "Logo",
            "file": SimpleUploadedFile("logo.svg", b"<svg/>"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "SVG files can run scripts" in response.json()["file"][0]


def test_the_api_upload_sets_the_company_and_gives_a_scoped_download_url(api, shared_campaign, alice, company_a, carol):
    response = api.as_user(alice).post(
        "/api/brand-assets/",
        {"campaign": shared_campaign.pk, "kind": "logo", "title": "Logo", "file": SimpleUploadedFile("logo.png", PNG)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == company_a.pk and "file" not in body
    assert body["download_url"].endswith(f"/files/brand-assets/{body['id']}/download/")
    assert BrandAsset.objects.get(pk=body["id"]).uploaded_by == alice.person
    # Company B reads it but cannot change Company A's asset.
    assert api.as_user(carol).get(f"/api/brand-assets/{body['id']}/").status_code == 200
    assert (
        api.as_user(carol).patch(f"/api/brand-assets/{body['id']}/", {"title": "Ours"}, format="multipart").status_code
        == 403
    )


def test_the_admin_upload_shows_the_size_error(client, shared_campaign, alice):
    client.force_login(alice)
    response = client.post(
        "/admin/campaigns/brandasset/add/",
        {
            "campaign": shared_campaign.pk,
            "kind": "logo",
            "title": "Huge",
            "file": SimpleUploadedFile("huge.png", PNG + b"0" * (1024 * 1024)),
        },
    )
    assert response.status_code == 200
    assert "“huge.png” is 1.0 MB; the limit is 1 MB." in response.content.decode()
    assert not BrandAsset.objects.exists()
