"""A changed password or a deactivated login ends every other way in at once: API tokens are revoked, and other
sessions stop working (the session that changed the password stays)."""

import pytest
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

PASSWORD = "a-long-password-2026"
NEW_PASSWORD = "another-long-password-2027"

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(alice):
    alice.set_password(PASSWORD)
    alice.save()
    return alice


def api_token(user, password=PASSWORD) -> APIClient:
    """An API client carrying a token obtained with the login's password, as a script would."""
    answer = Client().post(
        "/api/token/", {"username": user.username, "password": password}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


def logged_in(user, password=PASSWORD) -> Client:
    client = Client()
    assert (
        client.post("/admin/login/?next=/admin/", {"username": user.username, "password": password}).status_code == 302
    )
    return client


def logged_in_operator(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def can_use_the_admin(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_changing_ones_password_in_the_admin_revokes_the_tokens_and_ends_the_other_sessions(known):
    token_client, laptop, phone = api_token(known), logged_in(known), logged_in(known)
    assert token_client.get("/api/campaigns/").status_code == 200

    changed = laptop.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert token_client.get("/api/campaigns/").json()["detail"] == "Invalid token."
    assert not AuthToken.objects.filter(user=known).exists()
    assert can_use_the_admin(laptop) and not can_use_the_admin(phone)
    assert api_token(known, NEW_PASSWORD).get("/api/campaigns/").status_code == 200


def test_the_operator_setting_a_new_password_revokes_the_tokens(known, operator):
    token_client = api_token(known)

    changed = logged_in_operator(operator).post(
        reverse("admin:auth_user_password_change", args=[known.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert token_client.get("/api/campaigns/").json()["detail"] == "Invalid token."


def test_the_operator_deactivating_a_login_revokes_its_tokens_and_sessions(known, operator):
    token_client, session = api_token(known), logged_in(known)

    deactivated = logged_in_operator(operator).post(
        reverse("admin:auth_user_change", args=[known.pk]),
        {
            "username": known.username,
            "email": known.email,
            "is_staff": "on",
            "groups": [str(group.pk) for group in known.groups.all()],
            "date_joined_0": known.date_joined.date().isoformat(),
            "date_joined_1": known.date_joined.time().strftime("%H:%M:%S"),
        },  # "is_active" left unticked
    )

    assert deactivated.status_code == 302, deactivated.content.decode()[:2000]
    known.refresh_from_db()
    assert not known.is_active
    assert not AuthToken.objects.filter(user=known).exists()
    assert token_client.get("/api/campaigns/").json()["detail"] == "Invalid token."
    assert not can_use_the_admin(session)
    assert session.get("/api/campaigns/").json()["detail"] == "Authentication credentials were not provided."


def test_saving_a_login_without_changing_its_password_keeps_its_tokens(known):
    token_client = api_token(known)

    known.first_name = "Alice"
    known.save()
    logged_in(known)  # a login writes its last_login

    assert token_client.get("/api/campaigns/").status_code == 200
