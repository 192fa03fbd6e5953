"""Login abuse stopped: lockout per username and address on every login door, throttles, expiring hashed tokens."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.throttling import ScopedRateThrottle

PASSWORD = "a-long-password-2026"


@pytest.fixture
def known(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    alice.set_password(PASSWORD)
    alice.save()
    return alice


def _admin(client, user, password):
    return client.post("/admin/login/?next=/admin/", {"username": user.username, "password": password})


def _token(client, user, password):
    return client.post(
        "/api/token/", {"username": user.username, "password": password}, content_type="application/json"
    )


def _session(client, user, password):
    return client.post("/api-auth/login/", {"username": user.username, "password": password})


DOORS = {"admin": (_admin, 302), "token": (_token, 200), "session": (_session, 302)}


@pytest.mark.parametrize("door", DOORS)
def test_each_login_door_locks_a_username_and_address_out_after_the_failure_limit(client, known, door):
    attempt, success = DOORS[door]
    for _ in range(2):
        assert attempt(client, known, "wrong").status_code in (200, 400)  # the form or the API says "wrong"
    assert attempt(client, known, "wrong").status_code == 429  # the third failure locks

    locked = attempt(client, known, PASSWORD)  # even the right password, straight after
    assert locked.status_code == 429
    assert "Too many failed logins (3)" in locked.content.decode()
    assert "operator can unlock" in locked.content.decode()


@pytest.mark.parametrize("door", DOORS)
def test_fewer_failures_than_the_limit_do_not_lock_out(client, known, door):
    attempt, success = DOORS[door]
    for _ in range(2):
        attempt(client, known, "wrong")
    assert attempt(client, known, PASSWORD).status_code == success


def test_the_operator_unlocks_a_locked_login_in_the_admin(client, known, operator):
    for _ in range(3):
        _token(client, known, "wrong")
    (attempt,) = AccessAttempt.objects.filter(username=known.username)

    client.force_login(operator)
    page = client.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )
    assert page.status_code == 302
    client.logout()
    assert _token(client, known, PASSWORD).status_code == 200


def test_a_lockout_is_per_address(client, known):
    for _ in range(3):
        _token(client, known, "wrong")
    elsewhere = client.post(
        "/api/token/",
        {"username": known.username, "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.7",
    )
    assert elsewhere.status_code == 200


def test_the_token_door_is_throttled(client, known, monkeypatch):
    cache.clear()  # the counts of earlier tests' requests
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "2/minute"})
    answers = [_token(client, known, PASSWORD).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_a_token_expires_and_is_stored_only_as_a_hash(client, api, known, settings):
    token = _token(client, known, PASSWORD).json()["token"]
    stored = AuthToken.objects.get(user=known)
    assert token not in (stored.digest, stored.token_key) and stored.digest  # only a digest and a short prefix

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/campaigns/").status_code == 200
    later = stored.expiry + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        expired = api.get("/api/campaigns/")
    assert (expired.status_code, expired.json()["detail"]) == (403, "Invalid token.")  # 403: session auth comes first


def test_a_token_can_be_revoked(client, api, known):
    token = _token(client, known, PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/token/logout/").status_code == 204
    assert api.get("/api/campaigns/").json()["detail"] == "Invalid token."


def test_a_username_longer_than_any_login_is_refused_plainly(client, known):
    answer = client.post("/api/token/", {"username": "x" * 300, "password": PASSWORD}, content_type="application/json")
    assert answer.status_code == 400
    assert "150 characters" in str(answer.json())
