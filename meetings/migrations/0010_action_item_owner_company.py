"""The company that owes an action item, kept on the row (see ActionItem.owner_company): added empty, filled
from each owner's company, then required."""

import django.db.models.deletion
from django.db import migrations, models


def fill_owner_company(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Checked now, not at commit: PostgreSQL refuses the NOT NULL below while checks of these rows are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    action_item = apps.get_model("meetings", "ActionItem")
    member = apps.get_model("campaigns", "Member")
    owners_company = member.objects.filter(pk=models.OuterRef("owner_id")).values("person__organization_id")[:1]
    action_item.objects.update(owner_company_id=models.Subquery(owners_company))


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0035_registrants'),
        ('meetings', '0009_list_order_indexes'),
        ('partners', '0013_organization_country_for_public_holidays'),
    ]

    operations = [
        migrations.AddField(
            model_name='actionitem',
            name='owner_company',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.organization'),
        ),
        migrations.AddField(
            model_name='historicalactionitem',
            name='owner_company',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.organization'),
        ),
        migrations.RunPython(fill_owner_company, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='actionitem',
            name='owner_company',
            field=models.ForeignKey(blank=True, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.organization'),
        ),
        migrations.AddIndex(
            model_name='actionitem',
            index=models.Index(fields=['status', 'owner_company', 'due_date'], name='action_item_open_by_company'),
        ),
    ]
