# Its own migration: on PostgreSQL, a table whose rows were just updated cannot be altered in the same transaction.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0006_decision_binds_company'),
    ]

    operations = [
        migrations.AlterField(
            model_name='decision',
            name='binding_company',
            field=models.ForeignKey(editable=False, help_text="The company whose word it is: the decider's. Only its people make, amend or withdraw it.", on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.organization', verbose_name='binds'),
        ),
    ]
