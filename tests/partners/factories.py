import factory
from factory.django import DjangoModelFactory

from partners.models import IdentityProvider, Organization, Person, SignOnDomain
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


def identity_provider(organization: Organization, *, issuer: str, domains: list[str], client_id: str = "tracker"):
    """A company's connected OpenID Connect provider, with the e-mail domains it claims."""
    provider = IdentityProvider.objects.create(
        organization=organization, issuer=issuer, client_id=client_id, client_secret=f"secret-of-{client_id}"
    )
    for domain in domains:
        SignOnDomain.objects.create(organization=organization, domain=domain)
    return provider
