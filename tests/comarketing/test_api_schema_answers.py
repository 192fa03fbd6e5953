"""The schema tells the truth about what a client sends and gets, so a client generated from it works
(test_generated_client.py runs one).

- Request bodies: one type per operation, JSON, except the uploads (multipart). A write offering several types
  makes openapi-python-client 0.29.1 generate a package that does not import (its issue #1451).
- Answers on real rows: every list and every detail the API serves, read as each demo login on the demo data with
  every nullable column of one row per table emptied, matches its documented answer (types, required fields, nulls
  only where the schema says `nullable`). GET /api/invitations/ did not, on a campaign without dates. Fuzzing
  (test_api_schema_conformance.py) rarely meets such rows: it makes them from nothing, a few at a time."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.failures import Failure, FailureGroup

from comarketing.api.router import router
from tests.comarketing.test_api_fuzz import keep_the_test_connection, schema  # noqa: F401  (fixture)

UPLOADS = {
    ("post", "/api/brand-assets/"),
    ("put", "/api/brand-assets/{id}/"),
    ("patch", "/api/brand-assets/{id}/"),
    ("post", "/api/crm-imports/"),
    ("post", "/api/budget-lines/{id}/receipt/"),
    ("post", "/api/registrant-imports/"),
}
DEMO_LOGINS = ["maria@northwind.example", "jonas@bluefin.example", "hana@cobalt.example", "admin"]
NEWEST_DETAILS_PER_LIST = 3


def test_every_request_body_is_json_except_the_uploads_which_are_multipart():
    body_types = {
        (method, path): sorted(operation["requestBody"]["content"])
        for path, operations in schema.raw_schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert {key for key, types in body_types.items() if types == ["multipart/form-data"]} == UPLOADS
    assert {
        key: types for key, types in body_types.items() if key not in UPLOADS and types != ["application/json"]
    } == {}


def test_a_form_encoded_write_is_refused_naming_the_type(api, alice):
    response = api.as_user(alice).post(
        "/api/campaigns/", "name=Webinar&kind=joint_webinar", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["detail"] == 'Unsupported media type "application/x-www-form-urlencoded" in request.'


def _empty_nullable_columns(model) -> None:
    """Set every nullable column of the model's first row to NULL, past validation: the database allows it, so the
    schema must too."""
    nullable = [field.attname for field in model._meta.concrete_fields if field.null]
    first = model._default_manager.order_by("pk").first()
    if nullable and first is not None:
        model._default_manager.filter(pk=first.pk).update(**dict.fromkeys(nullable))


@pytest.fixture
def tokens(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    for model in {viewset.queryset.model for _, viewset, _ in router.registry if viewset.queryset is not None}:
        _empty_nullable_columns(model)
    users = get_user_model().objects.filter(username__in=DEMO_LOGINS)
    assert users.count() == len(DEMO_LOGINS)
    return {user.username: AuthToken.objects.create(user=user)[1] for user in users}


def _mismatches(case, response) -> list[str]:
    """What is wrong with an answer: a server error, or one line per place where the body strays from the schema."""
    try:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    except (Failure, FailureGroup) as found:
        failures = found.exceptions if isinstance(found, FailureGroup) else [found]
        lines = [line.strip() for failure in failures for line in str(failure).splitlines()]
        return [line for line in lines if line.startswith("Schema at")] or [failures[0].title]
    return []


def test_every_list_and_detail_on_demo_rows_with_nulls_matches_the_schema(tokens):
    paths = [path for path, operations in schema.raw_schema["paths"].items() if "get" in operations]
    assert all(path.replace("{id}", "").count("{") == 0 for path in paths), "a GET with another path parameter"
    checked, failures = 0, []
    for username, token in tokens.items():
        headers = {"Authorization": f"Token {token}"}
        ids: dict[str, list[int]] = {}
        for path in [path for path in paths if "{id}" not in path]:
            case = schema[path]["GET"].Case(query={"page_size": 200}, headers=headers)
            response = case.call()
            checked += 1
            if found := _mismatches(case, response):
                failures.append(f"GET {path} as {username}: {found}")
                continue
            body = response.json()
            rows = body["results"] if isinstance(body, dict) and "results" in body else body
            listed = sorted(row["id"] for row in rows if isinstance(row, dict) and "id" in row)
            # The lowest id is the row whose nullable columns are empty; the newest are as the demo made them.
            ids[path] = sorted(set(listed[:1] + listed[-NEWEST_DETAILS_PER_LIST:]))
        for path in [path for path in paths if "{id}" in path]:
            for pk in ids.get(path.split("{id}")[0], []):
                case = schema[path]["GET"].Case(path_parameters={"id": pk}, headers=headers)
                response = case.call()
                checked += 1
                if found := _mismatches(case, response):
                    failures.append(f"GET {path.replace('{id}', str(pk))} as {username}: {found}")
    assert not failures, f"{len(failures)} of {checked} answers differ from the schema:\n" + "\n".join(failures)
    assert checked > 300  # every list and detail, as four logins
