"""Files on S3-compatible object storage (django-storages), against a real S3 API on loopback (moto's server):
a brand asset and a results report are stored as private objects and served only through the scoped views;
another company gets 404 for both, and the bucket gives nothing to a request without credentials."""

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from campaigns.models import BrandAsset, ResultsReport
from campaigns.services.reports import results_report_build, results_report_request
from tests.live_processes import free_port

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BUCKET = "comarketing-private"


@pytest.fixture
def bucket(settings):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # moto keeps its buckets per process, not per server
    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": credentials["aws_access_key_id"],
                "secret_key": credentials["aws_secret_access_key"],
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    settings.MEDIA_ROOT = "/nonexistent-media-root"  # nothing may fall back to the local disk
    yield client, endpoint
    server.stop()


def object_keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def only_the_owner_may_read(client, key: str) -> bool:
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return [grant["Permission"] for grant in grants] == ["FULL_CONTROL"] and all(
        grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants
    )


@pytest.mark.django_db
def test_a_brand_asset_is_a_private_object_served_only_to_the_parties(
    bucket, api, client, shared_campaign, alice, carol, charlie
):
    s3, endpoint = bucket
    response = api.as_user(alice).post(
        "/api/brand-assets/",
        {"campaign": shared_campaign.pk, "kind": "logo", "title": "Logo", "file": SimpleUploadedFile("logo.png", PNG)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    asset = BrandAsset.objects.get(pk=response.json()["id"])
    assert object_keys(s3) == {asset.file.name} and asset.file.url == ""
    assert s3.get_object(Bucket=BUCKET, Key=asset.file.name)["Body"].read() == PNG
    assert only_the_owner_may_read(s3, asset.file.name)
    assert requests.get(f"{endpoint}/{BUCKET}/{asset.file.name}", timeout=10).status_code == 403

    download = f"/files/brand-assets/{asset.pk}/download/"
    client.force_login(carol)
    answer = client.get(download)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == PNG
    client.force_login(charlie)
    assert client.get(download).status_code == 404


@pytest.mark.django_db
def test_a_results_report_is_built_into_the_bucket_and_served_only_to_the_parties(
    bucket, client, shared_campaign, alice, carol, charlie
):
    s3, _ = bucket
    report = results_report_build(report_id=results_report_request(campaign=shared_campaign, user=alice).pk)
    assert report.status == ResultsReport.Status.READY, report.error
    assert object_keys(s3) == {report.pdf.name, report.csv.name}
    assert all(only_the_owner_may_read(s3, key) for key in (report.pdf.name, report.csv.name))

    client.force_login(carol)
    pdf = client.get(f"/files/results-reports/{report.pk}/results.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    client.force_login(charlie)
    assert client.get(f"/files/results-reports/{report.pk}/results.pdf").status_code == 404
    assert client.get(f"/files/results-reports/{report.pk}/results.csv").status_code == 404
