import pytest
from django.core.exceptions import ValidationError

from partners.models import Person
from tests.partners.factories import OrganizationFactory, PersonFactory, company_user


def test_it_refuses_an_unknown_time_zone(db):
    person = PersonFactory.build(organization=OrganizationFactory(), time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "is not a known time zone" in error.value.message_dict["time_zone"][0]


def test_it_accepts_an_iana_time_zone(db):
    person = PersonFactory.build(organization=OrganizationFactory(), time_zone="America/Los_Angeles")
    person.full_clean()


def test_it_treats_emails_case_insensitively(db):
    first = PersonFactory(email="Maria@Example.com")
    duplicate = PersonFactory.build(organization=first.organization, email="maria@example.COM")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already exists in your company" in str(error.value)


def test_it_does_not_tell_a_company_that_another_company_knows_an_address(db):
    PersonFactory(email="maria@example.com")
    PersonFactory.build(organization=OrganizationFactory(), email="Maria@example.com").full_clean()


def test_it_gives_a_company_user_a_staff_login_in_the_staff_group(db):
    user = company_user(time_zone="Europe/Berlin")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("campaigns.add_campaign")
    assert user.has_perm("partners.change_person")
    assert not user.has_perm("partners.add_organization")
    assert not user.has_perm("campaigns.delete_campaign")
    assert Person.objects.get(user=user).time_zone == "Europe/Berlin"
