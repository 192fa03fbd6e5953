"""Shared fixtures: alice (company A), bob (her teammate), carol (partner company B), charlie (outsider C).

A and B share `shared_campaign`; B and C share `other_campaign`, which A must never reach.
"""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from partners.scoping import organization_id_of
from tests.browser import browser  # noqa: F401 (Chromium for the browser tests, one per module)
from tests.campaigns.factories import joint_campaign, member_of
from tests.partners.factories import OrganizationFactory, company_user


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def real_services_in_ci(django_db_setup, django_db_blocker):
    """In CI the suite must run on PostgreSQL and Redis; a missing service fails the run, never skips."""
    if not _ci():
        return
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "CI must use PostgreSQL"
    assert settings.REDIS_URL, "CI must set REDIS_URL"
    import redis

    redis.Redis.from_url(settings.REDIS_URL).ping()
    with django_db_blocker.unblock():
        from django.db import connection

        connection.ensure_connection()


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counts and drawn charts of one test never reach the next."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def needs_real_services(transactional_db):
    """For tests whose other processes (a worker, gunicorn) share the test database: PostgreSQL and Redis."""
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("Needs PostgreSQL and Redis shared with other processes (CI sets DATABASE_URL and REDIS_URL).")


@pytest.fixture
def migration_data(transactional_db):
    """The rows migrations write (the metric catalog, the shipped templates), put back after another test's flush.

    Not `serialized_rollback`: it reloads the company staff group with its old id, which clashes with the one
    `post_migrate` writes again after each flush."""
    from importlib import import_module

    from django.apps import apps

    for migration, loader in (
        ("0003_kickoff_kpis", "seed_built_in_metrics"),
        ("0006_shipped_templates", "load_shipped_templates"),
    ):
        getattr(import_module(f"campaigns.migrations.{migration}"), loader)(apps, None)


@pytest.fixture
def company_a(db):
    return OrganizationFactory(name="Company A")


@pytest.fixture
def company_b(db):
    return OrganizationFactory(name="Company B")


@pytest.fixture
def company_c(db):
    return OrganizationFactory(name="Company C")


@pytest.fixture
def alice(company_a):
    return company_user(company_a, name="Alice")


@pytest.fixture
def bob(company_a):
    return company_user(company_a, name="Bob")


@pytest.fixture
def carol(company_b):
    return company_user(company_b, name="Carol")


@pytest.fixture
def charlie(company_c):
    return company_user(company_c, name="Charlie")


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.com", "pw")


@pytest.fixture
def shared_campaign(company_a, company_b, alice, carol):
    campaign = joint_campaign(company_a, company_b, name="A and B webinar")
    member_of_user(campaign, alice)
    member_of_user(campaign, carol)
    return campaign


@pytest.fixture
def other_campaign(company_b, company_c, charlie):
    campaign = joint_campaign(company_b, company_c, name="B and C secret pilot")
    member_of_user(campaign, charlie)
    member_of(campaign, company_b)
    return campaign


def member_of_user(campaign, user, **roles):
    from campaigns.models import Member

    return Member.objects.create(campaign=campaign, person=user.person, **roles)


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` logs in."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user)
            return self

    return Client()


def org_of(user):
    return organization_id_of(user)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the configured broker (Redis in CI, filesystem locally)."""
    from celery.contrib.testing.worker import start_worker

    from comarketing.celery import app, ensure_broker_folders

    ensure_broker_folders()
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        yield app
