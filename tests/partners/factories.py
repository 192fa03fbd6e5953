import factory
from factory.django import DjangoModelFactory

from partners.models import Organization, Person
from partners.services import company_user_create


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Company {n}")
    website = factory.LazyAttribute(lambda o: f"https://{o.name.lower().replace(' ', '-')}.example")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    time_zone = "UTC"


_login_counter = iter(range(10**9))


def company_user(organization: Organization | None = None, *, time_zone: str = "UTC", name: str | None = None):
    """A staff login of `organization` (a new company when omitted), in the company staff group."""
    organization = organization or OrganizationFactory()
    n = next(_login_counter)
    person = company_user_create(
        organization=organization,
        email=f"user{n}@{organization.pk}.example.com",
        full_name=name or f"User {n}",
        password="pw",
        time_zone=time_zone,
    )
    return person.user
