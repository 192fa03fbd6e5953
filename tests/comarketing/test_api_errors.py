"""No input answers a server error: over-deep JSON, dates out of range, anything unforeseen."""

import json
import logging

import pytest

from comarketing.api.parsers import MAX_JSON_DEPTH
from meetings.api import MeetingSeriesViewSet


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_a_deeply_nested_token_request_is_a_400_for_anyone(api, db):
    response = api.post("/api/token/", _nested(10_000), content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["detail"]


@pytest.mark.parametrize("levels", [10_000, MAX_JSON_DEPTH + 1])
def test_a_deeply_nested_write_is_a_400(api, alice, levels):
    body = json.dumps({"name": json.loads(_nested(MAX_JSON_DEPTH))}) if levels <= 100 else _nested(levels)
    response = api.as_user(alice).post("/api/campaigns/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["detail"]


def test_the_token_door_still_reads_json(api, alice):
    alice.set_password("a-long-password-2026")
    alice.save()
    response = api.post("/api/token/", {"username": alice.username, "password": "a-long-password-2026"}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_an_unforeseen_error_is_logged_and_answered_with_a_clean_body(api, alice, monkeypatch, caplog):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(MeetingSeriesViewSet, "base_queryset", broken)
    with caplog.at_level(logging.ERROR, logger="comarketing.api.exceptions"):
        response = api.as_user(alice).get("/api/meeting-series/")

    assert response.status_code == 500
    assert response.json() == {"detail": "The server could not complete this request; the error has been logged."}
    assert "RuntimeError: a bug" in caplog.text


def test_a_value_out_of_range_is_a_400(api, alice, monkeypatch):
    def overflowing(self):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(MeetingSeriesViewSet, "base_queryset", overflowing)
    response = api.as_user(alice).get("/api/meeting-series/")
    assert response.status_code == 400
    assert "out of range" in response.json()["detail"]


def test_the_schema_lists_the_error_answers_of_every_operation(api, alice):
    schema = api.as_user(alice).get("/api/schema/", {"format": "json"}).json()
    assert "detail" in schema["components"]["schemas"]["Error"]["properties"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            listed = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= listed, (method, path)


def test_free_text_longer_than_the_limit_is_a_400_naming_the_field(api, alice, shared_campaign, settings):
    response = api.as_user(alice).patch(
        f"/api/campaigns/{shared_campaign.pk}/", {"goals": "x" * (settings.TEXT_MAX_LENGTH + 1)}, format="json"
    )
    assert response.status_code == 400
    assert "goals" in response.json()
