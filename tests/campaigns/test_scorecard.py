"""Partner scorecards, checked against figures worked out by hand on a small fixture."""

import datetime

import pytest
from django.utils import timezone

from campaigns.models import Deliverable, Flag, PartnerScorecard, Party, RaciAssignment, SignoffRequest
from campaigns.selectors.scorecard import scorecard_figures
from campaigns.services.scorecards import scorecards_mark_stale, scorecards_refresh
from meetings.models import Attendance, Meeting
from partners.models import PartnerRelationship
from tests.campaigns.factories import DeliverableFactory, joint_campaign, member_of
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.campaigns.sweep_helpers import eager_celery  # noqa: F401 (a fixture)
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.partners.factories import OrganizationFactory
from tests.querycount import queries_of

today = timezone.localdate  # read at each use: a date fixed at import goes stale in a run that passes midnight


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
    measurement(kpi(campaign, "registrations", target="100"), "120", by=carol.person, end=today())
    measurement(kpi(campaign, "net_new_leads", target="50"), "10", by=alice.person, end=today())
    # Carol is R on three deliverables done today: two due later (on time), one due last week (late) -> 2 of 3,
    # and she alone does B's R's -> results depend on her.
    for due in (
        today() + datetime.timedelta(days=3),
        today() + datetime.timedelta(days=9),
        today() - datetime.timedelta(days=7),
    ):
        _done(DeliverableFactory(campaign=campaign, due_date=due), carol_member)
    # Carol decided two sign-offs, after 2 and 4 days -> median 3.0 days.
    for days in (2, 4):
        target = DeliverableFactory(campaign=campaign, due_date=today() + datetime.timedelta(days=20))
        request = SignoffRequest.objects.create(
            deliverable=target, kind="signoff", reviewer=carol.person, due_date=today()
        )
        SignoffRequest.objects.filter(pk=request.pk).update(
            requested_at=timezone.now() - datetime.timedelta(days=days), decided_at=timezone.now(), status="approved"
        )
    # One held meeting where Carol was present, one where she was absent -> 1 of 2.
    series = series_for(
        campaign,
        facilitator=alice_member,
        attendees=[alice_member, carol_member],
        first_date=today() - datetime.timedelta(days=14),
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
        # No budget recorded: no spend, no cost per lead, no return.
        "partner_spend": "—",
        "partner_cost_per_lead": "—",
        "partner_roi": "—",
        "spend": "—",
        "cost_per_lead": "—",
        "roi": "—",
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
            deliverable = DeliverableFactory(campaign=campaign, due_date=today())
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


# --- Kept scorecards: pages read the figures as last worked out, refreshed when an input changes ----------------


def _refresh_all(now=None):
    scorecards_refresh(relationship_ids=PartnerRelationship.objects.values_list("pk", flat=True), now=now)


def test_the_kept_figures_are_those_worked_out_from_scratch(scored, company_a, company_b, company_c, charlie):
    # A second vendor and a campaign of three companies, so pairs share some campaigns and not others.
    PartnerRelationship.objects.create(vendor=company_c, partner=company_a, tier=3)
    PartnerRelationship.objects.create(vendor=company_b, partner=company_c)
    three = joint_campaign(company_b, company_c, name="Three of us")
    Party.objects.create(campaign=three, organization=company_a, role=Party.Role.PARTNER)
    _done(DeliverableFactory(campaign=three, due_date=today()), member_of(three, company_c))
    measurement(kpi(three, "registrations", target="10"), "10", by=charlie.person, end=today())
    now = timezone.now()

    _refresh_all(now)

    relationships = list(PartnerRelationship.objects.all())
    from_scratch = scorecard_figures(relationships, now)
    kept = {row.relationship_id: row for row in PartnerScorecard.objects.all()}
    assert len(kept) == 4
    for relationship in relationships:
        row = kept[relationship.pk]
        assert (row.recent, row.all_time) == from_scratch[(relationship.vendor_id, relationship.partner_id)]
        assert row.computed_at == now and row.stale_since is None
    # And by hand: C did one of its deliverables, on time, for B (and A, its partner on the campaign too).
    c_for_b = kept[PartnerRelationship.objects.get(vendor=company_b, partner=company_c).pk].all_time
    assert (c_for_b["campaigns"], c_for_b["deliverables_on_time"], c_for_b["kpis_met"]) == (1, 1, 1)


def test_the_page_and_the_api_show_the_kept_figures_and_when_they_were_worked_out(scored, alice):
    worked_out = timezone.now() - datetime.timedelta(minutes=20)
    _refresh_all(worked_out)
    # A change that sends no signal (a bulk update) is not seen until the next refresh: the page reads kept figures.
    Attendance.objects.filter(meeting__series__campaign=scored).update(status=Attendance.Status.ABSENT)

    cards = {card["partner"]: card for card in api_of(alice).get("/api/partner-scorecards/").json()["results"]}
    assert cards["Company B"]["computed_at"] == worked_out.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    b_all_time = next(w for w in cards["Company B"]["windows"] if w["window"] == "all time")
    assert (b_all_time["meetings_present"], b_all_time["meetings_invited"], b_all_time["kpis_met"]) == (1, 2, 1)
    assert cards["Company B"]["flags"] == []
    page = admin_of(alice).get("/admin/").content.decode()
    assert "Figures as of" in page and "1 of 2" in page

    _refresh_all()

    assert _flags(alice, "Company B") == ["Missed most reviews: at 0 of 2 in the last 90 days"]


@pytest.mark.usefixtures("eager_celery")
def test_a_change_to_a_campaign_both_take_part_in_shows_once_the_refresh_task_ran(
    scored, alice, carol, company_b, django_capture_on_commit_callbacks
):
    _refresh_all()
    b_card = PartnerScorecard.objects.get(relationship__partner=company_b)

    with django_capture_on_commit_callbacks(execute=True):
        for attendance in Attendance.objects.filter(meeting__series__campaign=scored, member__person=carol.person):
            attendance.status = Attendance.Status.ABSENT
            attendance.save()

    b_card.refresh_from_db()
    assert b_card.stale_since is None and b_card.all_time["meetings_present"] == 0
    assert _flags(alice, "Company B") == ["Missed most reviews: at 0 of 2 in the last 90 days"]


def test_only_the_pairs_taking_part_in_a_changed_campaign_are_marked_stale(scored, company_a, company_c):
    _refresh_all()
    elsewhere = joint_campaign(company_a, OrganizationFactory(), name="Not with B or C")

    assert scorecards_mark_stale(campaign_ids=[elsewhere.pk]) == 0

    Party.objects.create(campaign=elsewhere, organization=company_c, role=Party.Role.PARTNER)
    assert scorecards_mark_stale(campaign_ids=[elsewhere.pk]) == 1
    stale = PartnerScorecard.objects.filter(stale_since__isnull=False)
    assert [row.relationship.partner for row in stale] == [company_c]


def test_the_periodic_refresh_works_out_new_stale_and_old_scorecards_only(scored, company_a, company_c):
    now = timezone.now()
    _refresh_all(now - datetime.timedelta(minutes=5))
    old = PartnerScorecard.objects.get(relationship__partner=company_c)
    PartnerScorecard.objects.filter(pk=old.pk).update(computed_at=now - datetime.timedelta(hours=2))
    newcomer = PartnerRelationship.objects.create(vendor=company_c, partner=company_a)

    assert scorecards_refresh(now=now) == 2

    assert set(PartnerScorecard.objects.filter(computed_at=now).values_list("relationship", flat=True)) == {
        old.relationship_id,
        newcomer.pk,
    }


@pytest.mark.usefixtures("eager_celery")
def test_a_new_partner_gets_its_scorecard_from_the_task(company_a, company_c, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        relationship = PartnerRelationship.objects.create(vendor=company_a, partner=company_c, tier=2)

    assert PartnerScorecard.objects.get(relationship=relationship).all_time["campaigns"] == 0
