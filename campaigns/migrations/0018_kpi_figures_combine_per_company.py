"""Honest KPI figures: how a KPI's figure combines the companies' figures, and one figure per company and period.

- Each KPI says how the companies' figures make its figure (`combination`). Existing KPIs get what a new KPI of
  their metric gets: the owning company's figure for percentages (attendance rate: rates do not add up), the sum
  of the companies' figures for every count and money metric (registrations, attendees, leads, pipeline). The
  terms of rounds already agreed record the KPI's combination as it is set here.
- Each figure records its company (its reporter's) and when it was last reported (`updated_at`, the time it was
  entered). Where a company had reported several figures of a KPI for the same period, the last one entered is
  kept (the one the tracker showed as the latest) and the others are deleted, each with a deletion record in its
  history. Then one figure per company, KPI and period is a constraint.

Three migrations (fields, data, constraints): PostgreSQL alters no table in the transaction that updated its rows.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

SUM = "sum"


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0017_approvals_pinned_to_content"),
        ("partners", "0005_person_updated_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaignkpi",
            name="combination",
            field=models.CharField(
                blank=True,
                choices=[("sum", "The sum of the companies' figures"), ("owner", "The owning company's figure only")],
                help_text=(
                    "How the companies' figures make the KPI's figure. Left empty: as usual for the metric (counts "
                    "and money summed, percentages the owning company's)."
                ),
                max_length=8,
                verbose_name="the KPI's figure is",
            ),
        ),
        migrations.AddField(
            model_name="historicalcampaignkpi",
            name="combination",
            field=models.CharField(
                blank=True,
                choices=[("sum", "The sum of the companies' figures"), ("owner", "The owning company's figure only")],
                help_text=(
                    "How the companies' figures make the KPI's figure. Left empty: as usual for the metric (counts "
                    "and money summed, percentages the owning company's)."
                ),
                max_length=8,
                verbose_name="the KPI's figure is",
            ),
        ),
        migrations.AddField(
            model_name="agreedkpitarget",
            name="combination",
            field=models.CharField(
                choices=[("sum", "The sum of the companies' figures"), ("owner", "The owning company's figure only")],
                default=SUM,
                max_length=8,
                verbose_name="the KPI's figure was",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="kpimeasurement",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.organization",
                verbose_name="company",
            ),
        ),
        migrations.AddField(
            model_name="historicalkpimeasurement",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partners.organization",
                verbose_name="company",
            ),
        ),
        migrations.AddField(
            model_name="kpimeasurement",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="historicalkpimeasurement",
            name="updated_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False),
            preserve_default=False,
        ),
    ]
