"""Which people a company sees is stored (`Acquaintance`), refreshed by every change to a campaign's parties and
team: it must always say what the rule says (its own people, the team of every campaign it takes part in, and the
points of contact of that campaign's companies), however the change was made, and a company that leaves stops
seeing the others' people as it leaves."""

import datetime
import random
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from campaigns.models import Member, Party
from partners.models import Acquaintance, Organization, Person
from partners.scoping import sharing
from tests.campaigns.factories import CampaignFactory, MemberFactory, PartyFactory
from tests.partners.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def seen_by(company) -> set[int]:
    return set(Person.objects.filter(sharing.people.q(company.pk)).values_list("pk", flat=True))


def companies_seen_by(company) -> set[int]:
    return set(Organization.objects.filter(sharing.companies.q(company.pk)).values_list("pk", flat=True))


def companies_by_the_rule(company) -> set[int]:
    """The rule for companies, by hand: itself, and every current party of a campaign it currently takes part in."""
    current = [party for party in Party.all_objects.all() if party.left_at is None]
    mine = {party.campaign_id for party in current if party.organization_id == company.pk}
    return {company.pk} | {party.organization_id for party in current if party.campaign_id in mine}


def by_the_rule(company) -> set[int]:
    """The rule, worked out by hand from the rows: no query the product uses."""
    seen = {person.pk for person in Person.objects.all() if person.organization_id == company.pk}
    for party in Party.all_objects.all():
        if party.organization_id != company.pk or party.left_at is not None:
            continue
        seen |= {member.person_id for member in Member.objects.all() if member.campaign_id == party.campaign_id}
        seen |= {
            other.point_of_contact_id
            for other in Party.all_objects.all()
            if other.campaign_id == party.campaign_id and other.left_at is None and other.point_of_contact_id
        }
    return seen


def test_a_company_sees_a_partners_team_member_while_it_takes_part_and_not_after():
    host, partner = OrganizationFactory(name="Host Co"), OrganizationFactory(name="Partner Co")
    campaign = CampaignFactory()
    PartyFactory(campaign=campaign, organization=host, role=Party.Role.HOST)
    partner_party = PartyFactory(campaign=campaign, organization=partner)
    dana = PersonFactory(organization=host, full_name="Dana Host")
    erin = PersonFactory(organization=partner, full_name="Erin Partner")
    assert dana.pk not in seen_by(partner)  # not on the team yet

    MemberFactory(campaign=campaign, person=dana)
    assert dana.pk in seen_by(partner)
    MemberFactory(campaign=campaign, person=erin)
    assert erin.pk in seen_by(host)

    assert companies_seen_by(partner) == {host.pk, partner.pk}
    partner_party.left_at = timezone.now()
    partner_party.save()
    assert dana.pk not in seen_by(partner)  # it left: the host's team is closed to it at once
    assert companies_seen_by(partner) == {partner.pk} and companies_seen_by(host) == {host.pk}
    assert erin.pk in seen_by(host)  # its member stays on the host's team as history

    partner_party.left_at = None
    partner_party.save()
    assert dana.pk in seen_by(partner)

    Member.objects.filter(person=dana).delete()
    assert dana.pk not in seen_by(partner)


def test_a_replaced_point_of_contact_is_no_longer_seen_through_the_campaign():
    host, partner = OrganizationFactory(), OrganizationFactory()
    campaign = CampaignFactory()
    PartyFactory(campaign=campaign, organization=host, role=Party.Role.HOST)
    party = PartyFactory(campaign=campaign, organization=partner)
    first, second = PersonFactory(organization=partner), PersonFactory(organization=partner)

    party.point_of_contact = first
    party.save()
    assert first.pk in seen_by(host)
    party.point_of_contact = second
    party.save()
    assert seen_by(host) - {person.pk for person in Person.objects.filter(organization=host)} == {second.pk}

    Party.objects.filter(pk=party.pk).update(point_of_contact=first)  # a bulk change, not a save
    assert first.pk in seen_by(host) and second.pk not in seen_by(host)


def test_stored_acquaintances_follow_the_rule_through_any_sequence_of_changes():
    rng = random.Random(24)
    companies = [OrganizationFactory(name=f"Company {n}") for n in range(4)]
    people = {company.pk: [PersonFactory(organization=company) for _ in range(3)] for company in companies}
    campaigns = [CampaignFactory() for _ in range(3)]
    for campaign, host in zip(campaigns, companies, strict=False):
        PartyFactory(campaign=campaign, organization=host, role=Party.Role.HOST)

    def join(campaign):
        outside = [c for c in companies if not Party.all_objects.filter(campaign=campaign, organization=c).exists()]
        if outside:
            PartyFactory(campaign=campaign, organization=rng.choice(outside))

    def leave_or_come_back(campaign):
        party = rng.choice(list(Party.all_objects.filter(campaign=campaign, role=Party.Role.PARTNER)) or [None])
        if party is None:
            return
        moment = None if party.left_at else timezone.now() - datetime.timedelta(minutes=rng.randrange(60))
        if rng.random() < 0.5:
            party.left_at = moment
            party.save()
        else:
            Party.all_objects.filter(pk=party.pk).update(left_at=moment)

    def name_contact(campaign):
        party = rng.choice(list(Party.all_objects.filter(campaign=campaign)))
        party.point_of_contact = rng.choice([None, *people[party.organization_id]])
        party.save()

    def add_member(campaign):
        party = rng.choice(list(Party.objects.filter(campaign=campaign)))
        person = rng.choice(people[party.organization_id] or [None])  # everyone may have moved away
        if person and not Member.objects.filter(campaign=campaign, person=person).exists():
            MemberFactory(campaign=campaign, person=person)

    def remove_member(campaign):
        members = list(Member.objects.filter(campaign=campaign))
        if members:
            rng.choice(members).delete()

    def drop_partner(campaign):
        parties = list(Party.all_objects.filter(campaign=campaign, role=Party.Role.PARTNER))
        if parties:
            rng.choice(parties).delete()

    def move_person(campaign):  # the operator moves someone to another company
        person = rng.choice(list(Person.objects.all()))
        company = rng.choice([c for c in companies if c.pk != person.organization_id])
        if rng.random() < 0.5:
            person.organization = company
            person.save()
        else:
            Person.objects.filter(pk=person.pk).update(organization=company)
        for mine in people.values():
            if person in mine:
                mine.remove(person)
        people[company.pk].append(person)

    changes = [join, leave_or_come_back, name_contact, add_member, add_member, remove_member, drop_partner, move_person]
    for _ in range(120):
        rng.choice(changes)(rng.choice(campaigns))
        for company in companies:
            assert seen_by(company) == by_the_rule(company)
            assert companies_seen_by(company) == companies_by_the_rule(company)
    assert sharing.rebuild() == (0, 0)  # the full rebuild finds nothing the refreshes missed


def test_a_company_sees_its_own_people_and_no_longer_someone_who_moved_away():
    first, second = OrganizationFactory(), OrganizationFactory()
    assert companies_seen_by(first) == {first.pk}  # a new company sees itself, and nobody else yet
    frank = PersonFactory(organization=first)
    assert frank.pk in seen_by(first) and frank.pk not in seen_by(second)
    frank.organization = second
    frank.save()
    assert frank.pk not in seen_by(first) and frank.pk in seen_by(second)


def test_the_nightly_rebuild_heals_rows_changed_behind_the_registrys_back():
    host, partner = OrganizationFactory(), OrganizationFactory()
    campaign = CampaignFactory()
    PartyFactory(campaign=campaign, organization=host, role=Party.Role.HOST)
    PartyFactory(campaign=campaign, organization=partner)
    dana, stranger = PersonFactory(organization=host), PersonFactory()
    MemberFactory(campaign=campaign, person=dana)
    Acquaintance.objects.filter(organization=partner, person=dana).delete()
    Acquaintance.objects.create(organization=partner, person=stranger)
    assert dana.pk not in seen_by(partner) and stranger.pk in seen_by(partner)

    assert sharing.people.rebuild() == (1, 1)
    assert dana.pk in seen_by(partner) and stranger.pk not in seen_by(partner)


@pytest.mark.django_db(transaction=True)
def test_one_person_taken_off_two_shared_campaigns_at_once_is_no_longer_seen():
    """Each removal keeps the acquaintance for the other campaign as its own transaction sees it: the second waits
    for the first to commit, then reads it, so the company stops seeing the person once both are done."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the concurrent refresh is meaningful on PostgreSQL (CI).")
    host, partner = OrganizationFactory(), OrganizationFactory()
    dana = PersonFactory(organization=host)
    campaigns = [CampaignFactory(), CampaignFactory()]
    for campaign in campaigns:
        PartyFactory(campaign=campaign, organization=host, role=Party.Role.HOST)
        PartyFactory(campaign=campaign, organization=partner)
        MemberFactory(campaign=campaign, person=dana)
    assert dana.pk in seen_by(partner)
    first_removed, second_started = threading.Event(), threading.Event()
    errors = []

    def remove(campaign, before_commit):
        try:
            with transaction.atomic():
                Member.objects.filter(campaign=campaign, person=dana).delete()
                before_commit()
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=remove, args=(campaigns[0], lambda: (first_removed.set(), second_started.wait(30))))
    second = threading.Thread(target=remove, args=(campaigns[1], lambda: None))
    first.start()
    assert first_removed.wait(30)
    second.start()
    time.sleep(1)  # the second removal reaches the stored row the first one holds
    second_started.set()
    first.join(30)
    second.join(30)
    assert not errors
    assert dana.pk not in seen_by(partner)
