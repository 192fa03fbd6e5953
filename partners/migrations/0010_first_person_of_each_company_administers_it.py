"""Every company has an administrator from the start: its first person with a login (the contact it was invited
through, for a company invited by e-mail), else its first person. A person whose login was deactivated by the
operator is inactive."""

from django.db import migrations


def name_first_administrators(apps, schema_editor):
    person_model = apps.get_model("partners", "Person")
    person_model.objects.filter(user__is_active=False).update(is_active=False)
    for organization_id in person_model.objects.values_list("organization_id", flat=True).distinct():
        people = person_model.objects.filter(organization_id=organization_id, is_active=True).order_by("pk")
        if people.filter(is_company_admin=True).exists():
            continue
        first = people.exclude(user=None).first() or people.first()
        if first is not None:
            person_model.objects.filter(pk=first.pk).update(is_company_admin=True)


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_company_administrators_and_deactivation")]

    operations = [migrations.RunPython(name_first_administrators, migrations.RunPython.noop)]
