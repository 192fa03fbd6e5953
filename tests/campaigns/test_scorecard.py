"""Partner scorecards, checked against figures worked out by hand on a small fixture."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Deliverable, Flag, RaciAssignment, SignoffRequest
from meetings.models import Attendance, Meeting
from partners.models import PartnerRelationship
from tests.campaigns.factories import DeliverableFactory, joint_campaign, member_of
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.partners.factories import OrganizationFactory
from tests.querycount import queries_of

TODAY = timezone.localdate()


def _done(deliverable, member):
    RaciAssignment.objects.create(deliverable=deliverable, member=member, role="R")
    deliverable.status = Deliverable.Status.PUBLISHED
    deliverable.save()


@pytest.fixture
def scored(alice, carol, company_a, company_b, company_c):
    """A (vendor) and B (tier 1) ran one webinar; C (tier 2) never ran anything with A."""
    PartnerRelationship.objects.create(vendor=company_a, partner=company_b, tier=1)
    PartnerRelationship.objects.create(vendor=company_a, partner=company_c, tier=2)
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    alice_member = member_of_user(campaign, alice, is_decision_maker=True)
    carol_member = member_of_user(campaign, carol)
    # KPIs: registrations 120 of 100 (met), leads 10 of 50 (not met) -> 1 of 2.
    measurement(kpi(campaign, "registrations", target="100"), "120", by=carol.person, end=TODAY)
    measurement(kpi(campaign, "net_new_leads", target="50"), "10", by=alice.person, end=TODAY)
    # Carol is R on three deliverables done today: two due later (on time), one due last week (late) -> 2 of 3,
    # and she alone does B's R's -> results depend on her.
    for due in (
        TODAY + datetime.timedelta(days=3),
        TODAY + datetime.timedelta(days=9),
        TODAY - datetime.timedelta(days=7),
    ):
        _done(DeliverableFactory(campaign=campaign, due_date=due), carol_member)
    # Carol decided two sign-offs, after 2 and 4 days -> median 3.0 days.
    for days in (2, 4):
        target = DeliverableFactory(campaign=campaign, due_date=TODAY + datetime.timedelta(days=20))
        request = SignoffRequest.objects.create(
            deliverable=target, kind="signoff", reviewer=carol.person, due_date=TODAY
        )
        SignoffRequest.objects.filter(pk=request.pk).update(
            requested_at=timezone.now() - datetime.timedelta(days=days), decided_at=timezone.now(), status="approved"
        )
    # One held meeting where Carol was present, one where she was absent -> 1 of 2.
    series = series_for(
        campaign,
        facilitator=alice_member,
        attendees=[alice_member, carol_member],
        first_date=TODAY - datetime.timedelta(days=14),
    )
    for meeting, status in zip(series.meetings.order_by("starts_at")[:2], ("present", "absent"), strict=True):
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
        Attendance.objects.filter(meeting=meeting, member=carol_member).update(status=status)
    # One open critical flag on the campaign.
    now = timezone.now()
    Flag.objects.create(
        campaign=campaign,
        code="no_reporting_plan",
        severity="critical",
        title="No reporting plan",
        opened_at=now,
        last_seen_at=now,
    )
    return campaign


def test_the_vendor_sees_each_partners_scorecard_as_worked_out_by_hand(scored, alice):
    cards = {card["partner"]: card for card in api_of(alice).get("/api/partner-scorecards/").json()["results"]}

    b_all_time = next(w for w in cards["Company B"]["windows"] if w["window"] == "all time")
    assert b_all_time == {
        "window": "all time",
        "campaigns": 1,
        "kpis_met": 1,
        "kpis": 2,
        "deliverables_on_time": 2,
        "deliverables_done": 3,
        "meetings_present": 1,
        "meetings_invited": 2,
        "signoff_median_days": 3.0,
        "open_critical_flags": 1,
        "depends_on": "Carol",
    }
    assert cards["Company B"]["tier"] == "Tier 1"
    c_recent = next(w for w in cards["Company C"]["windows"] if w["window"] == "last 90 days")
    assert c_recent["campaigns"] == 0 and c_recent["depends_on"] is None


def test_a_partner_sees_its_own_scorecard_and_nobody_elses(scored, carol, charlie):
    mine = api_of(carol).get("/api/partner-scorecards/").json()["results"]
    assert [card["partner"] for card in mine] == ["Company B"]
    assert [card["partner"] for card in api_of(charlie).get("/api/partner-scorecards/").json()["results"]] == [
        "Company C"
    ]


def test_my_work_shows_the_scorecards(scored, alice):
    page = admin_of(alice).get("/admin/").content.decode()
    assert "Partner scorecards" in page and "1 of 2" in page and "3.0 days" in page and "Carol" in page


@pytest.mark.parametrize("url", ["/api/partner-scorecards/?page_size=100", "/admin/"])
def test_scorecards_do_not_grow_with_the_partners(alice, company_a, url):
    client = admin_of(alice) if url == "/admin/" else api_of(alice)

    def count_with(partners: int) -> int:
        for _ in range(partners):
            partner = OrganizationFactory()
            PartnerRelationship.objects.create(vendor=company_a, partner=partner, tier=2)
            campaign = joint_campaign(company_a, partner)
            deliverable = DeliverableFactory(campaign=campaign, due_date=TODAY)
            _done(deliverable, member_of(campaign, partner))
            kpi(campaign, "registrations", target="10")
        return queries_of(lambda: client.get(url))

    assert count_with(3) == count_with(27)


def _flags(user, partner: str) -> list[str]:
    cards = api_of(user).get("/api/partner-scorecards/").json()["results"]
    return [flag["label"] for card in cards if card["partner"] == partner for flag in card["flags"]]


def _carol_at_the_reviews(campaign, carol, status):
    Attendance.objects.filter(meeting__series__campaign=campaign, member__person=carol.person).update(status=status)


def test_the_vendor_is_told_of_a_partner_that_never_co_ran_a_campaign_until_it_does(
    scored, alice, company_a, company_c
):
    assert _flags(alice, "Company C") == ["Never co-ran a campaign with you"]
    assert "Never co-ran a campaign with you" in admin_of(alice).get("/admin/").content.decode()

    joint_campaign(company_a, company_c, name="First one together")

    assert _flags(alice, "Company C") == []


def test_the_vendor_is_told_of_a_partner_that_missed_most_reviews_until_it_attends(scored, alice, carol):
    assert _flags(alice, "Company B") == []  # at 1 of 2: not most

    _carol_at_the_reviews(scored, carol, Attendance.Status.ABSENT)
    assert _flags(alice, "Company B") == ["Missed most reviews: at 0 of 2 in the last 90 days"]
    assert "Missed most reviews" in admin_of(alice).get("/admin/").content.decode()

    _carol_at_the_reviews(scored, carol, Attendance.Status.PRESENT)
    assert _flags(alice, "Company B") == []


def test_a_partner_never_sees_the_vendors_flags_on_it(scored, carol, charlie):
    _carol_at_the_reviews(scored, carol, Attendance.Status.ABSENT)

    assert _flags(carol, "Company B") == [] and _flags(charlie, "Company C") == []
    assert "Missed most reviews" not in admin_of(carol).get("/admin/").content.decode()
    assert "Never co-ran" not in admin_of(charlie).get("/admin/").content.decode()


def test_a_company_attends_a_review_when_one_of_its_people_is_there(scored, carol, alice, company_b):
    """Two of B's people invited, one present at each review: B attended both."""
    member = member_of(scored, company_b)
    for meeting in Meeting.objects.filter(series__campaign=scored, status=Meeting.Status.HELD):
        Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.ABSENT)
    _carol_at_the_reviews(scored, carol, Attendance.Status.PRESENT)

    cards = {card["partner"]: card for card in api_of(alice).get("/api/partner-scorecards/").json()["results"]}
    recent = next(w for w in cards["Company B"]["windows"] if w["window"] == "last 90 days")
    assert (recent["meetings_present"], recent["meetings_invited"]) == (2, 2)
