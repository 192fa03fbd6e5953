"""A company sees itself and its own people: sources of who sees whom (`sharing`), kept as a company is created and
as a person joins a company or moves to another. Stored with the rest, so a company's lists are one indexed
subquery (two, united, hid their size from PostgreSQL: it probed a hub's 600,000 people one by one)."""

from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver

from partners.models import Organization, Person
from partners.scoping import SEEN, SEEN_BY, sharing


def _seen_by_own(rows, company: str, organization_ids, seen_ids):
    """(company, row) pairs of `rows`, each seen by its own company (`company`: the path to that company's id)."""
    if organization_ids is not None:
        rows = rows.filter(**{f"{company}__in": organization_ids})
    if seen_ids is not None:
        rows = rows.filter(pk__in=seen_ids)
    return rows.values(**{SEEN_BY: F(company), SEEN: F("pk")})


def own_people_seen(organization_ids=None, person_ids=None):
    return _seen_by_own(Person.objects.all(), "organization_id", organization_ids, person_ids)


def own_company_seen(organization_ids=None, company_ids=None):
    return _seen_by_own(Organization.objects.all(), "pk", organization_ids, company_ids)


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
