import datetime

import factory
from factory.django import DjangoModelFactory

from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from tests.partners.factories import OrganizationFactory, PersonFactory


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Joint webinar {n}")
    kind = Campaign.Kind.JOINT_WEBINAR
    kickoff_date = datetime.date(2026, 11, 2)
    launch_date = datetime.date(2026, 12, 3)
    end_date = datetime.date(2026, 12, 31)


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = Party

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Party.Role.PARTNER


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)


class DeliverableFactory(DjangoModelFactory):
    class Meta:
        model = Deliverable

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Deliverable {n}")
    type = Deliverable.Type.LANDING_PAGE
    due_date = datetime.date(2026, 11, 30)


class RaciAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RaciAssignment

    deliverable = factory.SubFactory(DeliverableFactory)
    member = factory.SubFactory(MemberFactory)
    role = RaciAssignment.Role.RESPONSIBLE


def joint_campaign(host, *partners, **fields) -> Campaign:
    """A campaign hosted by organization `host` with `partners` as partner parties."""
    campaign = CampaignFactory(**fields)
    PartyFactory(campaign=campaign, organization=host, role=Party.Role.HOST)
    for partner in partners:
        PartyFactory(campaign=campaign, organization=partner)
    return campaign


def member_of(campaign: Campaign, organization, **roles) -> Member:
    return MemberFactory(campaign=campaign, person=PersonFactory(organization=organization), **roles)


def comment_by(user, target, text: str, **fields):
    """A comment by `user` on `target` (a deliverable, flag, KPI, meeting or decision), saved as the doors save it."""
    from campaigns.models import Comment
    from campaigns.registries.commentable import kind_of
    from campaigns.services.comments import comment_save

    person = user.person
    comment = Comment(
        target_kind=kind_of(type(target)),
        target_id=target.pk,
        author=person,
        organization=person.organization,
        text=text,
        **fields,
    )
    return comment_save(comment=comment, user=user)
