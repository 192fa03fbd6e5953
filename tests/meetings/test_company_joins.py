"""A company that accepts its invitation joins the campaign's weekly meeting: its team is invited to the series
and to each meeting still to come (so its people get the reminders and minutes, and their attendance counts)."""

import datetime

from campaigns.models import Campaign, CampaignTemplate, Deliverable, Member, RaciAssignment
from campaigns.services.core import campaign_create
from campaigns.services.invitations import invitation_accept
from meetings.models import Attendance, Meeting, MeetingSeries


def test_the_accepting_companys_team_joins_the_weekly_series(
    alice, carol, company_b, django_capture_on_commit_callbacks
):
    template = CampaignTemplate.objects.get(organization=None, kind=Campaign.Kind.JOINT_WEBINAR)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(
            user=alice,
            campaign=Campaign(name="Joined webinar"),
            template=template,
            event_date=datetime.date(2027, 1, 15),
            partner=company_b,
        )
    series = MeetingSeries.objects.get(campaign=campaign)
    upcoming = Meeting.objects.filter(series=series, status=Meeting.Status.SCHEDULED)
    assert upcoming.count() > 1

    with django_capture_on_commit_callbacks(execute=True):
        invitation_accept(invitation=campaign.invitations.get(), user=carol)

    carol_member = Member.objects.get(campaign=campaign, person=carol.person)
    assert carol_member in series.default_attendees.all()
    invited_to = set(Attendance.objects.filter(member=carol_member).values_list("meeting", flat=True))
    assert invited_to == set(upcoming.values_list("pk", flat=True))
    partner_work = Deliverable.objects.get(campaign=campaign, title="Social posts (partner)")
    assert set(RaciAssignment.objects.filter(deliverable=partner_work).values_list("role", "member")) == {
        ("A", carol_member.pk),
        ("R", carol_member.pk),
    }
