"""Multi-partner programs (seed 001): a company without a point of contact and a cycle over 60 days are flagged."""

import datetime

from campaigns.checks.programs import program_cycle_too_long, program_without_point_of_contact
from campaigns.models import Campaign, Party
from tests.campaigns.factories import joint_campaign

NOW = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)


def test_a_partner_without_a_point_of_contact_is_flagged_only_in_a_multi_partner_program(company_a, company_b, alice):
    program = joint_campaign(company_a, company_b, kind=Campaign.Kind.MULTI_PARTNER, name="Program")
    joint_campaign(company_a, company_b, name="Webinar")
    Party.objects.filter(campaign=program, organization=company_a).update(point_of_contact=alice.person)

    (finding,) = program_without_point_of_contact(Campaign.objects.all(), NOW)

    assert finding.campaign_id == program.pk and finding.subject == f"organization:{company_b.pk}"
    assert finding.detail.startswith("Company B has named no point of contact")


def test_a_cycle_over_sixty_days_is_flagged(company_a, company_b):
    short = joint_campaign(
        company_a,
        company_b,
        kind=Campaign.Kind.MULTI_PARTNER,
        kickoff_date=datetime.date(2027, 1, 4),
        launch_date=datetime.date(2027, 1, 18),
        end_date=datetime.date(2027, 3, 5),
    )
    long = joint_campaign(
        company_a,
        company_b,
        kind=Campaign.Kind.MULTI_PARTNER,
        kickoff_date=datetime.date(2027, 1, 4),
        launch_date=datetime.date(2027, 1, 18),
        end_date=datetime.date(2027, 3, 8),
    )

    (finding,) = program_cycle_too_long(Campaign.objects.all(), NOW)

    assert finding.campaign_id == long.pk != short.pk
    assert finding.detail.startswith("This cycle runs 63 days (4 Jan – 8 Mar 2027)")
