"""Deployment as written: /healthz, the HTTPS redirect, the proxy header, the CSP, offline API docs."""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from health_check.exceptions import ServiceUnavailable

from comarketing.celery import app
from partners.models import validate_time_zone
from tests.comarketing.test_compose import SERVICES

HOST = "campaigns.example.com"


@pytest.fixture
def production(settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None  # no BEHIND_TLS_PROXY
    return settings


def test_the_health_check_answers_200_over_http_under_production_settings(client, db, production):
    response = client.get("/healthz", HTTP_HOST=HOST, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert set(response.json().values()) == {"OK"} and len(response.json()) == 3  # database, cache, broker


def test_the_health_check_fails_when_the_broker_is_unreachable(client, db, production, monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(app, "connection_for_write", refused)
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST=HOST, HTTP_ACCEPT="application/json")
        assert response.status_code == 503  # not ready: a dependency is down, not this code
        assert response.json()["Broker()"] == "Unavailable: broker unreachable (ConnectionRefusedError)"
        assert {name for name, state in response.json().items() if state != "OK"} == {"Broker()"}
    # Alive all the same: restarting the web process would not bring the broker back.
    alive = client.get("/livez", HTTP_HOST=HOST)
    assert alive.status_code == 200 and alive.content == b"alive\n"


def test_the_health_check_names_a_database_that_is_down(client, db, production, monkeypatch):
    from health_check.checks import Database

    def down(self):
        raise ServiceUnavailable("Database unavailable: connection refused")

    monkeypatch.setattr(Database, "run", down)
    response = client.get("/readyz", HTTP_HOST=HOST, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    failing = [name for name, state in response.json().items() if state != "OK"]
    assert (
        len(failing) == 1 and failing[0].startswith("Database") and "connection refused" in response.json()[failing[0]]
    )


def test_compose_checks_the_web_container_through_readiness():
    command = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "/readyz" in command and "ALLOWED_HOSTS" in command


def test_x_forwarded_proto_is_ignored_without_the_proxy_setting(client, db, production):
    response = client.get("/admin/login/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"] == f"https://{HOST}/admin/login/"


def test_x_forwarded_proto_is_trusted_behind_the_declared_proxy(client, db, production):
    production.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/admin/login/", HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/redoc/", "/api/schema/", "/healthz"])
def test_every_page_carries_a_content_security_policy_without_outside_scripts(client, db, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";" and "default-src 'self'" in policy


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_every_file_from_this_site(client, db, path):
    page = client.get(path).content.decode()
    assert "http://" not in page and "https://" not in page and "<script>" not in page
    assert "/static/drf_spectacular_sidecar/" in page


def test_the_docs_scripts_ship_with_the_package():
    for name in ("swagger-ui-dist/swagger-ui-bundle.js", "redoc/bundles/redoc.standalone.js"):
        assert finders.find(f"drf_spectacular_sidecar/{name}"), name


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "posix/Europe/Berlin", "right/UTC"])
def test_only_real_places_are_accepted_as_time_zones(name):
    with pytest.raises(ValidationError):
        validate_time_zone(name)


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/New_York"])
def test_iana_names_are_accepted(name):
    validate_time_zone(name)
