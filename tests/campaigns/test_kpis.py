import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import AgreedKpiTarget, Campaign, CampaignKpi, KpiAgreement, KpiMeasurement, KpiRound, Metric
from campaigns.selectors.kpis import kind_kpi_mismatch, kpi_export_rows, progress_percent
from campaigns.services import kpis as services
from tests.campaigns.kickoff_factories import agree_all, kpi, measurement, metric
from utilities.validation import save_validated


def test_the_catalog_has_the_built_in_metrics(db):
    stages = dict(Metric.objects.filter(campaign__isnull=True).values_list("code", "funnel_stage"))
    assert stages["registrations"] == "awareness"
    assert stages["net_new_leads"] == "marketing"
    assert stages["pipeline_value"] == "sales"
    assert Metric.objects.get(code="closed_won_value").unit == "money"
    assert len(stages) == 10


def test_it_refuses_a_negative_target(shared_campaign):
    with pytest.raises(ValidationError) as refused:
        kpi(shared_campaign, target="-5")
    assert refused.value.message_dict["target"] == ["A target cannot be negative."]


def test_it_refuses_an_unknown_currency(shared_campaign):
    with pytest.raises(ValidationError) as refused:
        kpi(shared_campaign, "pipeline_value", "400000", currency="EURO")
    assert "not a known ISO 4217 currency code" in refused.value.message_dict["currency"][0]


def test_money_needs_a_currency_and_counts_have_none(shared_campaign):
    with pytest.raises(ValidationError, match="Pipeline value is money: give its currency"):
        kpi(shared_campaign, "pipeline_value", "400000")
    with pytest.raises(ValidationError, match="Registrations is not money"):
        kpi(shared_campaign, "registrations", "300", currency="EUR")
    assert kpi(shared_campaign, "pipeline_value", "400000", currency="EUR").target_display == "400000 EUR"


def test_the_owner_must_be_a_party(shared_campaign, company_c):
    with pytest.raises(ValidationError, match="Company C is not a party"):
        kpi(shared_campaign, owner=company_c)


def test_a_custom_metric_of_another_campaign_cannot_be_used(shared_campaign, other_campaign):
    custom = save_validated(Metric(name="Demo requests", funnel_stage="marketing", campaign=other_campaign))
    with pytest.raises(ValidationError, match="belongs to another campaign"):
        services.kpi_save(
            kpi=CampaignKpi(
                campaign=shared_campaign, metric=custom, target=1, owner=shared_campaign.parties.first().organization
            )
        )


def test_agreement_by_a_company_that_is_not_a_party_is_refused(shared_campaign, charlie, company_c):
    kpi(shared_campaign)
    with pytest.raises(ValidationError, match="Company C is not a party of this campaign"):
        services.kpi_agree(campaign=shared_campaign, organization=company_c, person=charlie.person)


def test_agreeing_needs_a_kpi_with_a_target(shared_campaign, company_a, alice):
    kpi(shared_campaign, target=None)
    with pytest.raises(ValidationError, match="Add at least one KPI with a target"):
        services.kpi_agree(campaign=shared_campaign, organization=company_a, person=alice.person)


def test_one_company_agreeing_does_not_lock(shared_campaign, company_a, alice):
    kpi(shared_campaign)
    services.kpi_agree(campaign=shared_campaign, organization=company_a, person=alice.person)
    current = KpiRound.objects.current().get(campaign=shared_campaign)
    assert not current.is_locked
    assert KpiAgreement.objects.get(round=current).agreed_by == alice.person


def test_when_every_company_agreed_the_set_is_locked(shared_campaign):
    registrations = kpi(shared_campaign)
    agree_all(shared_campaign)
    assert KpiRound.objects.current().get(campaign=shared_campaign).is_locked
    registrations.target = Decimal("500")
    with pytest.raises(ValidationError, match="Every company agreed to this KPI set, so it is locked"):
        services.kpi_save(kpi=registrations)
    with pytest.raises(ValidationError, match="locked"):
        kpi(shared_campaign, "attendees", "120")
    with pytest.raises(ValidationError, match="locked"):
        services.kpi_delete(kpi=registrations)
    assert CampaignKpi.objects.get(pk=registrations.pk).target == Decimal("300")


def test_a_locked_set_still_accepts_a_new_data_source(shared_campaign):
    registrations = kpi(shared_campaign)
    agree_all(shared_campaign)
    registrations.data_source = "HubSpot"
    services.kpi_save(kpi=registrations)
    assert CampaignKpi.objects.get(pk=registrations.pk).data_source == "HubSpot"


def test_a_new_round_allows_changes_and_keeps_earlier_targets(shared_campaign, alice):
    registrations = kpi(shared_campaign)
    agree_all(shared_campaign)
    second = services.kpi_round_start(campaign=shared_campaign, user=alice, reason="Budget doubled")
    registrations.target = Decimal("600")
    services.kpi_save(kpi=registrations)
    agree_all(shared_campaign)
    history = list(
        AgreedKpiTarget.objects.filter(round__campaign=shared_campaign)
        .order_by("round__number")
        .values_list("round__number", "target")
    )
    assert history == [(1, Decimal("300.00")), (2, Decimal("600.00"))]
    assert KpiRound.objects.current().get(campaign=shared_campaign) == second


def test_a_new_round_needs_a_locked_one(shared_campaign, alice):
    kpi(shared_campaign)
    with pytest.raises(ValidationError, match="Round 1 is still open"):
        services.kpi_round_start(campaign=shared_campaign, user=alice)


def test_changing_the_set_in_an_open_round_withdraws_earlier_agreements(shared_campaign, company_a, alice):
    registrations = kpi(shared_campaign)
    services.kpi_agree(campaign=shared_campaign, organization=company_a, person=alice.person)
    registrations.target = Decimal("1000")
    services.kpi_save(kpi=registrations)
    assert not KpiAgreement.objects.filter(round__campaign=shared_campaign).exists()


def test_a_measurement_for_a_kpi_of_another_campaign_is_refused(shared_campaign, other_campaign, carol):
    foreign = kpi(other_campaign)
    wrong = KpiMeasurement(
        campaign=shared_campaign,
        kpi=foreign,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 7),
        value=Decimal(10),
        reported_by=carol.person,
    )
    with pytest.raises(ValidationError) as refused:
        save_validated(wrong)
    assert refused.value.message_dict["kpi"] == ["This KPI belongs to “B and C secret pilot”, not to this campaign."]


def test_a_measurement_by_someone_outside_the_campaign_is_refused(shared_campaign, charlie):
    with pytest.raises(ValidationError, match="reported by people of the campaign's companies"):
        measurement(kpi(shared_campaign), "10", by=charlie.person, end=datetime.date(2026, 11, 20))


def test_progress_uses_the_latest_measurement(shared_campaign, alice):
    registrations = kpi(shared_campaign, target="300")
    measurement(registrations, "90", by=alice.person, end=datetime.date(2026, 11, 13))
    measurement(registrations, "150", by=alice.person, end=datetime.date(2026, 11, 20))
    [row] = kpi_export_rows(campaign=shared_campaign)
    assert (row["latest_value"], row["progress_percent"]) == ("150", "50")
    assert progress_percent(None, Decimal(1)) is None


def test_a_co_marketing_campaign_with_only_sales_kpis_is_a_mismatch(shared_campaign, other_campaign):
    other_campaign.kind = Campaign.Kind.CO_SELLING
    other_campaign.save()
    for campaign in (shared_campaign, other_campaign):
        kpi(campaign, "pipeline_value", "100000", currency="EUR")
    assert list(Campaign.objects.filter(kind_kpi_mismatch())) == [shared_campaign]
    kpi(shared_campaign, "registrations", "300")
    assert not Campaign.objects.filter(kind_kpi_mismatch()).exists()


def test_percent_targets_stay_within_100(shared_campaign):
    with pytest.raises(ValidationError, match="cannot be above 100"):
        kpi(shared_campaign, "attendance_rate", "140")
    assert metric("attendance_rate").unit == "percent"
