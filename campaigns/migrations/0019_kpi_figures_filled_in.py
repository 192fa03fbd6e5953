"""Fills what 0016 added (see there): each KPI's usual combination, each figure's company and `updated_at`, and
one figure per company, KPI and period (the last one entered kept, the others deleted with a history record)."""

import django.utils.timezone
from django.db import migrations
from django.db.models import Exists, F, OuterRef, Subquery

SUM, OWNER = "sum", "owner"
def usual_combinations(apps, schema_editor):
    kpi_model = apps.get_model("campaigns", "CampaignKpi")
    kpi_model.objects.filter(metric__unit="percent").update(combination=OWNER)
    kpi_model.objects.exclude(metric__unit="percent").update(combination=SUM)
    agreed_model = apps.get_model("campaigns", "AgreedKpiTarget")
    agreed_model.objects.filter(metric__unit="percent").update(combination=OWNER)


def one_figure_per_company_and_period(apps, schema_editor):
    person_model = apps.get_model("partners", "Person")
    company_of_reporter = Subquery(person_model.objects.filter(pk=OuterRef("reported_by_id")).values("organization_id"))
    for model_name in ("KpiMeasurement", "HistoricalKpiMeasurement"):
        apps.get_model("campaigns", model_name).objects.update(
            organization_id=company_of_reporter, updated_at=F("created_at")
        )
    measurement_model = apps.get_model("campaigns", "KpiMeasurement")
    history_model = apps.get_model("campaigns", "HistoricalKpiMeasurement")
    later = measurement_model.objects.filter(
        kpi_id=OuterRef("kpi_id"),
        organization_id=OuterRef("organization_id"),
        period_start=OuterRef("period_start"),
        period_end=OuterRef("period_end"),
        pk__gt=OuterRef("pk"),
    )
    replaced = list(measurement_model.objects.filter(Exists(later)))
    now = django.utils.timezone.now()
    history_model.objects.bulk_create(
        history_model(
            **{field.attname: getattr(row, field.attname) for field in measurement_model._meta.concrete_fields},
            history_date=now,
            history_type="-",
            history_change_reason="Replaced by a later figure of the same period",
        )
        for row in replaced
    )
    measurement_model.objects.filter(pk__in=[row.pk for row in replaced]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0018_kpi_figures_combine_per_company"),
        ("partners", "0005_person_updated_at"),
    ]

    operations = [
        migrations.RunPython(usual_combinations, migrations.RunPython.noop),
        migrations.RunPython(one_figure_per_company_and_period, migrations.RunPython.noop),
    ]
