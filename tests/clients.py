"""One logged-in client per user, for tests where two users act in turn (a shared client would switch logins)."""

from django.test import Client
from rest_framework.test import APIClient


def api_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def admin_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
