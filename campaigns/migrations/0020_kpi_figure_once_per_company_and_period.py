"""One figure per company, KPI and period, and a KPI always says how its figure combines (once 0017 filled them
in; a migration of its own, as PostgreSQL alters no table in the transaction that updated its rows)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0019_kpi_figures_filled_in"),
        ("partners", "0005_person_updated_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="kpimeasurement",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.organization",
                verbose_name="company",
            ),
        ),
        migrations.AddConstraint(
            model_name="kpimeasurement",
            constraint=models.UniqueConstraint(
                fields=("kpi", "organization", "period_start", "period_end"),
                name="kpi_figure_once_per_company_and_period",
                violation_error_message="This company already reported a figure of this KPI for this period.",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaignkpi",
            constraint=models.CheckConstraint(
                condition=models.Q(("combination__in", ["sum", "owner"])),
                name="kpi_combination_known",
                violation_error_message="Say how the companies' figures make the KPI's figure.",
            ),
        ),
    ]
