"""A company sees itself and its own people: sources of who sees whom (`sharing`), kept as a company is created and
as a person joins a company or moves to another. Stored with the rest, so a company's lists are one indexed
subquery (two, united, hid their size from PostgreSQL: it probed a hub's 600,000 people one by one)."""

from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver

from partners.models import Organization, Person
from partners.scoping import SEEN, SEEN_BY, sharing


def own_people_seen(organization_ids=None, person_ids=None):
    people = Person.objects.all()
    if organization_ids is not None:
        people = people.filter(organization_id__in=organization_ids)
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    return people.values(**{SEEN_BY: F("organization_id"), SEEN: F("pk")})


def own_company_seen(organization_ids=None, company_ids=None):
    companies = Organization.objects.all()
    if organization_ids is not None:
        companies = companies.filter(pk__in=organization_ids)
    if company_ids is not None:
        companies = companies.filter(pk__in=company_ids)
    return companies.values(**{SEEN_BY: F("pk"), SEEN: F("pk")})


@receiver(post_save, sender=Organization, dispatch_uid="partners-known-companies-on-new-company")
def refresh_what_a_new_company_sees(sender, instance: Organization, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        sharing.companies.refresh({instance.pk}, {instance.pk})


@receiver(post_save, sender=Person, dispatch_uid="partners-acquaintances-on-person-save")
def refresh_who_sees_a_person(sender, instance: Person, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if raw or not (created or update_fields is None or {"organization", "organization_id"} & set(update_fields)):
        return
    before = getattr(instance, "_loaded_values", {}).get("organization_id")  # the company it left, if it moved
    sharing.people.refresh({instance.organization_id, before} - {None}, {instance.pk})
