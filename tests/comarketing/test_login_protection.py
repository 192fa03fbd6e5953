"""Login abuse stopped: lockout per username and address on every login door, throttles, expiring hashed tokens."""

import datetime
import io

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.throttling import ScopedRateThrottle

from campaigns.models import Reminder
from campaigns.outbox.reminders import reminder_send
from comarketing.lockout import LOGIN_LOCKED_OUT
from tests.comarketing.test_settings import PRODUCTION_ENV, manage

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


# --- Addresses behind a proxy (issue 23): the header counts only as far as the declared proxies wrote it ----------

PROXY = "10.0.0.1"  # every request behind the proxy reaches the app from this address


@pytest.fixture
def throttled_logins(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "10/minute"})


@pytest.fixture
def one_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": settings.TRUSTED_PROXY_COUNT}


def _token_via(client, username, password, **meta):
    return client.post(
        "/api/token/", {"username": username, "password": password}, content_type="application/json", **meta
    )


@pytest.mark.usefixtures("throttled_logins")
def test_a_fresh_forwarded_for_on_every_try_is_still_throttled_when_no_proxy_is_trusted(client, known):
    answers = [
        _token_via(client, f"guess-{n}@example.com", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(40)
    ]

    assert answers[:10] == [400] * 10
    assert answers[10:] == [429] * 30


@pytest.mark.usefixtures("throttled_logins", "one_trusted_proxy")
def test_behind_one_trusted_proxy_the_right_most_address_counts_and_a_spoofed_left_most_one_is_ignored(client, known):
    spoofed = [
        _token_via(
            client,
            f"guess-{n}@example.com",
            "wrong",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.4",
        ).status_code
        for n in range(12)
    ]
    someone_else = _token_via(client, known.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert spoofed == [400] * 10 + [429] * 2  # one client, however its header starts
    assert someone_else.status_code == 200  # another client behind the same proxy is not throttled with it
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.4"}


@pytest.mark.usefixtures("one_trusted_proxy")
def test_five_wrong_passwords_from_one_address_do_not_lock_out_the_user_at_another(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 5
    alice.set_password(PASSWORD)
    alice.save()
    stranger = [
        _token_via(client, alice.username, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code
        for _ in range(6)
    ]

    at_home = _token_via(client, alice.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert stranger == [400] * 4 + [429] * 2
    assert at_home.status_code == 200


@pytest.mark.usefixtures("one_trusted_proxy")
def test_the_owner_of_a_locked_login_is_told_once_with_the_address(client, known):
    for _ in range(5):  # the limit is 3: two more tries while locked
        _token_via(client, known.username, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")

    (notice,) = Reminder.objects.filter(kind=LOGIN_LOCKED_OUT, person=known.person)
    assert reminder_send(reminder_id=notice.pk).status == "sent"
    message = mail.outbox[-1]
    assert message.to == [f"{known.person.full_name} <{known.email}>"]
    assert message.subject == "Your login was locked after failed attempts"
    assert "3 wrong passwords were tried for your login" in message.body
    assert "from the address 203.0.113.66" in message.body
    assert "Logging in from your usual address still works." in message.body


def test_an_unknown_username_locked_out_tells_nobody(client, known):
    for _ in range(3):
        _token_via(client, "nobody@example.com", "wrong")

    assert not Reminder.objects.filter(kind=LOGIN_LOCKED_OUT).exists()


@pytest.mark.usefixtures("one_trusted_proxy")
def test_the_operator_unlocks_with_axes_reset(client, known):
    for _ in range(3):
        _token_via(client, known.username, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    locked = _token_via(client, known.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert locked.status_code == 429

    call_command("axes_reset_username", known.username, stdout=io.StringIO())

    again = _token_via(client, known.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert again.status_code == 200


@pytest.mark.parametrize(("count", "num_proxies"), [(None, "0"), ("2", "2")])
def test_the_throttles_and_the_lockout_follow_the_one_trusted_proxy_setting(count, num_proxies):
    env = {**PRODUCTION_ENV, **({"TRUSTED_PROXY_COUNT": count} if count else {})}
    printed = (
        "from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['NUM_PROXIES'], settings.AXES_CLIENT_IP_CALLABLE)"
    )
    result = manage("shell", "-c", printed, env=env)
    assert result.stdout.strip().splitlines()[-1] == f"{num_proxies} comarketing.lockout.client_address", result.stderr


def test_a_negative_proxy_count_stops_start_up():
    result = manage("check", env={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "-1"})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr
