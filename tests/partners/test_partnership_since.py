"""A partner relationship's "since" is a date that happened: from 1900 to today (issue 23: 0001-01-01 was
accepted). The API answers 400 naming `since`; the admin shows the error under the field."""

import datetime

import pytest
from django.utils import timezone

from partners.models import PartnerRelationship
from tests.clients import admin_of, api_of

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("since", ["0001-01-01", "1899-12-31", "tomorrow"])
def test_a_partnership_since_an_impossible_date_is_refused_in_the_api(alice, company_b, shared_campaign, since):
    since = tomorrow() if since == "tomorrow" else since
    answer = api_of(alice).post(
        "/api/partner-relationships/", {"partner": company_b.pk, "tier": 2, "since": since}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json() == {"since": ["Choose a date from 01 Jan 1900 to today."]}
    assert not PartnerRelationship.objects.exists()


@pytest.mark.parametrize("since", ["0001-01-01", "tomorrow"])
def test_a_partnership_since_an_impossible_date_is_refused_in_the_admin(
    alice, company_a, company_b, shared_campaign, since
):
    since = tomorrow() if since == "tomorrow" else since
    answer = admin_of(alice).post(
        "/admin/partners/partnerrelationship/add/",
        {"vendor": company_a.pk, "partner": company_b.pk, "tier": 2, "since": since},
    )

    assert answer.status_code == 200
    assert set(answer.context["adminform"].form.errors) == {"since"} and not PartnerRelationship.objects.exists()


def test_a_partnership_of_long_standing_is_recorded(alice, company_b, shared_campaign):
    answer = api_of(alice).post(
        "/api/partner-relationships/", {"partner": company_b.pk, "tier": 2, "since": "1998-05-01"}, format="json"
    )

    assert answer.status_code == 201, answer.content
