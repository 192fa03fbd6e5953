"""`manage.py bench --pages`: every page kind timed for a small company and a hub, next to its floor."""

import io
import re

import pytest
from django.core.management import call_command

from campaigns.demo.bench_pages import PAGES, every_list
from campaigns.models import Campaign, Comment, Flag, PartnerScorecard

pytestmark = pytest.mark.django_db

FIGURES = (
    r"\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+x\s+\d+/\d+"  # small, floor, hub, floor, ratio, queries
)


def test_bench_pages_times_every_page_kind_for_both_users_next_to_a_floor_and_keeps_nothing():
    out = io.StringIO()
    call_command("bench", "--campaigns", "6", "--pages", "--rounds", "1", stdout=out, stderr=io.StringIO())
    output = out.getvalue()

    assert "small sees 3 campaigns, hub 3" in output
    assert "Scorecards of " in output
    # written down by hand: the pages people work in, and lists added since the bench was written
    for label in (
        "My work",
        "campaign's first hour",
        "deliverable with a thread of 30",
        "meeting page (agenda, attendance, log)",
        "two-factor set-up",
        "sign in with your company",
        "API /api/comments/",
        "API /api/budget-lines/",
        "API /api/registrant-imports/",
        "admin /admin/campaigns/budgetline/",
        "admin /admin/campaigns/comment/",
        "admin /admin/meetings/actionitem/",
        "admin /admin/partners/identityprovider/",
    ):
        assert re.search(rf"^{re.escape(label)}{FIGURES}", output, re.MULTILINE), label
    for page in [*PAGES, *every_list()]:  # and whatever else there is, each timed for both users
        assert re.search(rf"^{re.escape(page.label[:52])}{FIGURES}", output, re.MULTILINE), page.label
    assert re.search(r"^\d+ timings; over 150 ms: \d+; slowest: ", output, re.MULTILINE)
    assert "Synthetic data rolled back." in output
    assert not Campaign.objects.exists() and not Flag.objects.exists() and not PartnerScorecard.objects.exists()
    assert not Comment.objects.exists()


def test_every_list_finds_the_api_and_admin_lists_of_scoped_models_only():
    labels = {page.label for page in every_list()}

    assert {"API /api/deliverables/", "API /api/action-items/", "admin /admin/campaigns/deliverable/"} <= labels
    assert "admin /admin/auth/user/" not in labels  # the operator's, not a company's
    assert "admin /admin/django_celery_beat/periodictask/" not in labels
