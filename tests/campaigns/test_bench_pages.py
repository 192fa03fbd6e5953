"""`manage.py bench --pages`: every page kind timed for a small company and a hub, next to its floor."""

import io
import re

import pytest
from django.core.management import call_command

from campaigns.demo.bench_pages import PAGES
from campaigns.models import Campaign, Flag, PartnerScorecard

pytestmark = pytest.mark.django_db


def test_bench_pages_times_every_page_kind_for_both_users_next_to_a_floor_and_keeps_nothing():
    out = io.StringIO()
    call_command("bench", "--campaigns", "6", "--pages", stdout=out, stderr=io.StringIO())
    output = out.getvalue()

    assert "small sees 3 campaigns, hub 3" in output
    assert "Scorecards of " in output
    for page in PAGES:
        # small, its floor, hub, its floor, the ratio, and the queries of each
        figures = rf"^{re.escape(page.label)}\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+ms\s+[\d.]+x\s+\d+/\d+"
        assert re.search(figures, output, re.MULTILINE), page.label
    assert "Synthetic data rolled back." in output
    assert not Campaign.objects.exists() and not Flag.objects.exists() and not PartnerScorecard.objects.exists()
