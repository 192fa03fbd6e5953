from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from partners.models import Organization, Person
from partners.permissions import COMPANY_STAFF_GROUP


def person_of(user) -> Person | None:
    """The person a login belongs to (with their company), or None for an anonymous login or the operator's."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user_id=user.pk).select_related("organization").first()


@transaction.atomic
def company_user_create(
    *,
    organization: Organization,
    email: str,
    full_name: str,
    password: str | None,
    job_title: str = "",
    time_zone: str = "UTC",
) -> Person:
    """A person of `organization` with a staff login in the company staff group; the first of a company (its
    invited contact) administers it."""
    person = Person(
        organization=organization,
        email=email,
        full_name=full_name,
        job_title=job_title,
        time_zone=time_zone,
        is_company_admin=not Person.objects.company_admins(organization.pk).exists(),
    )
    person.full_clean()
    user_model = get_user_model()
    user = user_model(username=email.lower(), email=email, is_staff=True)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=COMPANY_STAFF_GROUP)[0])
    person.user = user
    person.save()
    return person
