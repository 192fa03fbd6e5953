"""What counts as "the same request" for an Idempotency-Key: the method, the path and the body, files by content."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from partners.scoping.idempotency import fingerprint


def test_the_same_json_body_in_another_key_order_is_the_same_request():
    assert fingerprint("POST", "/api/x/", {"a": 1, "b": [1, 2]}) == fingerprint(
        "POST", "/api/x/", {"b": [1, 2], "a": 1}
    )


def test_another_value_path_or_method_is_another_request():
    first = fingerprint("POST", "/api/x/", {"a": 1})
    assert len({first, fingerprint("POST", "/api/x/", {"a": 2}), fingerprint("POST", "/api/y/", {"a": 1})}) == 3


def test_an_uploaded_file_counts_by_its_content_not_only_its_name():
    def upload(content: bytes):
        form = QueryDict(mutable=True)
        form.update({"campaign": "1"})
        form["file"] = SimpleUploadedFile("leads.csv", content)
        return fingerprint("POST", "/api/crm-imports/", form)

    assert upload(b"email\na@x.example\n") == upload(b"email\na@x.example\n")
    assert upload(b"email\na@x.example\n") != upload(b"email\nb@x.example\n")
