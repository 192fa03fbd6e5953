from django.db import migrations


def fill(apps, schema_editor):
    if not apps.get_model("partners", "Organization").objects.exists():
        return  # a new database: nothing to fill
    # The live registry, not historical models: its sources are the campaigns app's current queries, which read
    # columns that exist at this point of the graph (an existing database is at it now).
    from partners.scoping import sharing

    sharing.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0037_reminder_opt_out_by_kind"),
        ("partners", "0015_who_sees_whom"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
