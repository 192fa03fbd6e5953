import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.models import Campaign, Deliverable, Member, RaciAssignment
from campaigns.services.core import campaign_create, campaign_transition, raci_unassign
from tests.campaigns.factories import (
    CampaignFactory,
    DeliverableFactory,
    RaciAssignmentFactory,
    joint_campaign,
    member_of,
)
from tests.partners.factories import OrganizationFactory, PersonFactory
from utilities.validation import save_validated


@pytest.fixture
def campaign(db):
    return joint_campaign(OrganizationFactory(), OrganizationFactory())


@pytest.fixture
def host_member(campaign):
    return member_of(campaign, campaign.parties.get(role="host").organization)


@pytest.fixture
def partner_member(campaign):
    return member_of(campaign, campaign.parties.get(role="partner").organization)


# --- RACI ---------------------------------------------------------------------


def test_the_database_refuses_a_second_accountable(campaign, host_member, partner_member):
    deliverable = DeliverableFactory(campaign=campaign)
    RaciAssignment.objects.create(deliverable=deliverable, member=host_member, role="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        RaciAssignment.objects.create(deliverable=deliverable, member=partner_member, role="A")


def test_validation_explains_a_second_accountable(campaign, host_member, partner_member):
    deliverable = DeliverableFactory(campaign=campaign)
    RaciAssignmentFactory(deliverable=deliverable, member=host_member, role="A")
    with pytest.raises(ValidationError) as error:
        save_validated(RaciAssignment(deliverable=deliverable, member=partner_member, role="A"))
    assert "already has an Accountable" in str(error.value)


def test_each_deliverable_has_its_own_accountable(campaign, host_member):
    for deliverable in DeliverableFactory.create_batch(2, campaign=campaign):
        save_validated(RaciAssignment(deliverable=deliverable, member=host_member, role="A"))
    assert RaciAssignment.objects.filter(role="A").count() == 2


def test_a_person_holds_a_role_at_most_once(campaign, host_member):
    deliverable = DeliverableFactory(campaign=campaign)
    RaciAssignmentFactory(deliverable=deliverable, member=host_member, role="C")
    with pytest.raises(ValidationError) as error:
        save_validated(RaciAssignment(deliverable=deliverable, member=host_member, role="C"))
    assert "already has this role" in str(error.value)


def test_a_person_may_be_both_responsible_and_accountable(campaign, host_member):
    deliverable = DeliverableFactory(campaign=campaign)
    save_validated(RaciAssignment(deliverable=deliverable, member=host_member, role="R"))
    save_validated(RaciAssignment(deliverable=deliverable, member=host_member, role="A"))


def test_only_members_of_the_campaign_can_be_assigned(campaign):
    other = joint_campaign(OrganizationFactory())
    outsider = member_of(other, other.parties.get().organization)
    with pytest.raises(ValidationError) as error:
        save_validated(RaciAssignment(deliverable=DeliverableFactory(campaign=campaign), member=outsider, role="R"))
    assert "Only members of this campaign" in error.value.message_dict["member"][0]


def test_a_deliverable_needs_a_responsible_before_it_starts(campaign, host_member):
    deliverable = DeliverableFactory(campaign=campaign)
    deliverable.status = Deliverable.Status.IN_PROGRESS
    with pytest.raises(ValidationError) as error:
        save_validated(deliverable)
    assert "at least one Responsible" in error.value.message_dict["status"][0]
    RaciAssignmentFactory(deliverable=deliverable, member=host_member, role="R")
    save_validated(deliverable)
    assert Deliverable.objects.get(pk=deliverable.pk).status == "in_progress"


def test_the_last_responsible_of_a_started_deliverable_cannot_be_removed(campaign, host_member):
    deliverable = DeliverableFactory(campaign=campaign)
    responsible = RaciAssignmentFactory(deliverable=deliverable, member=host_member, role="R")
    Deliverable.objects.filter(pk=deliverable.pk).update(status="in_progress")
    with pytest.raises(ValidationError):
        raci_unassign(assignment=RaciAssignment.objects.get(pk=responsible.pk))
    assert RaciAssignment.objects.filter(pk=responsible.pk).exists()


def test_the_channel_must_be_a_party_of_the_same_campaign(campaign):
    foreign_party = joint_campaign(OrganizationFactory()).parties.get()
    with pytest.raises(ValidationError) as error:
        save_validated(Deliverable(campaign=campaign, title="Post", channel_party=foreign_party))
    assert "party of this campaign" in error.value.message_dict["channel_party"][0]


# --- Team and parties ------------------------------------------------------------


def test_a_member_must_work_for_a_party_company(campaign):
    outsider = PersonFactory()
    with pytest.raises(ValidationError) as error:
        save_validated(Member(campaign=campaign, person=outsider))
    assert "not a party of this campaign" in error.value.message_dict["person"][0]


def test_a_point_of_contact_works_for_the_party_company(campaign):
    party = campaign.parties.get(role="partner")
    party.point_of_contact = PersonFactory()
    with pytest.raises(ValidationError) as error:
        save_validated(party)
    assert "must be a person of" in error.value.message_dict["point_of_contact"][0]


def test_a_campaign_has_one_host(campaign):
    party = campaign.parties.get(role="partner")
    party.role = "host"
    with pytest.raises(ValidationError) as error:
        save_validated(party)
    assert "exactly one host" in str(error.value)


def test_the_creator_company_becomes_host_and_the_creator_joins_the_team(alice, company_a):
    campaign = campaign_create(user=alice, campaign=Campaign(name="New webinar", status="closed"))
    assert campaign.status == "draft"
    host = campaign.parties.get()
    assert (host.organization, host.role, host.point_of_contact) == (company_a, "host", alice.person)
    assert list(campaign.members.values_list("person", flat=True)) == [alice.person.pk]
    assert campaign.created_by == alice


# --- Status and dates ------------------------------------------------------------


def test_it_walks_the_status_path(db):
    campaign = CampaignFactory()
    for status in ["kickoff", "planning", "execution", "reporting", "closed"]:
        campaign_transition(campaign=Campaign.objects.get(pk=campaign.pk), status=status)
    assert Campaign.objects.get(pk=campaign.pk).status == "closed"


@pytest.mark.parametrize("start", ["draft", "kickoff", "planning", "execution", "reporting"])
def test_an_open_campaign_can_be_cancelled(db, start):
    campaign = Campaign.objects.get(pk=CampaignFactory(status=start).pk)
    campaign_transition(campaign=campaign, status="cancelled")
    assert Campaign.objects.get(pk=campaign.pk).status == "cancelled"


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("draft", "execution"),
        ("planning", "draft"),
        ("closed", "planning"),
        ("cancelled", "draft"),
        ("closed", "cancelled"),
    ],
)
def test_it_refuses_an_illegal_transition_with_a_clear_message(db, start, target):
    campaign = Campaign.objects.get(pk=CampaignFactory(status=start).pk)
    with pytest.raises(ValidationError) as error:
        campaign_transition(campaign=campaign, status=target)
    assert "cannot move from" in error.value.message_dict["status"][0]
    assert Campaign.objects.get(pk=campaign.pk).status == start


def test_the_database_refuses_an_end_before_the_launch(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(launch_date=datetime.date(2026, 12, 3), end_date=datetime.date(2026, 12, 1))


def test_validation_explains_an_end_before_the_launch(db):
    campaign = CampaignFactory.build(launch_date=datetime.date(2026, 12, 3), end_date=datetime.date(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert "end date cannot be before the launch date" in str(error.value)


def test_a_campaign_with_children_cannot_be_deleted(campaign):
    DeliverableFactory(campaign=campaign)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        campaign.delete()
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_edits_are_kept_in_history(campaign, alice):
    deliverable = DeliverableFactory(campaign=campaign, title="Draft title")
    deliverable.title = "Final title"
    deliverable._history_user = alice
    deliverable.save()
    titles = list(deliverable.history.order_by("history_date").values_list("title", "history_user"))
    assert titles == [("Draft title", None), ("Final title", alice.pk)]
