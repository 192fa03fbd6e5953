from django.core.management import call_command

from campaigns.models import Campaign, KpiAgreement, SignoffRequest
from campaigns.selectors.kickoff import campaign_for_completeness, kickoff_completeness
from campaigns.selectors.kpis import has_reporting_plan


def test_the_demo_shows_a_partial_kickoff_and_is_idempotent(db):
    call_command("seed_demo")
    call_command("seed_demo")
    webinar = Campaign.objects.get(name__startswith="Forecasting")
    pilot = Campaign.objects.get(name__startswith="Bluefin")
    assert 0 < kickoff_completeness(campaign_for_completeness(webinar.pk)).percent < 100
    assert list(KpiAgreement.objects.filter(round__campaign=webinar).values_list("organization__name", flat=True)) == [
        "Northwind Analytics"
    ]
    assert (
        SignoffRequest.objects.filter(
            deliverable__campaign=webinar, kind="legal", status="pending", reviewer__email="sam@northwind.example"
        ).count()
        == 1
    )
    assert set(Campaign.objects.filter(has_reporting_plan()).values_list("name", flat=True)) == {pilot.name}
