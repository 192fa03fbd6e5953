"""The lead-time engine: latest safe starts in business days, the infeasible-deliverable flag with its numbers,
and moving the event date with a preview that matches what is applied."""

import datetime

import pytest

from campaigns.checks.plans import deliverable_infeasible
from campaigns.models import Campaign, Deliverable, KickoffCompanyPart
from campaigns.selectors.plans import campaign_plan
from campaigns.services.plan_moves import event_move, event_move_preview
from tests.campaigns.factories import DeliverableFactory
from tests.clients import admin_of, api_of

MONDAY = datetime.date(2027, 3, 1)


@pytest.fixture
def planned(shared_campaign, company_a, company_b):
    """A's landing page due Monday 1 March (A needs 5 days for web content, B's legal review takes 3)."""
    KickoffCompanyPart.objects.create(campaign=shared_campaign, organization=company_a, web_content_lead_days=5)
    KickoffCompanyPart.objects.create(
        campaign=shared_campaign, organization=company_b, has_legal_review=True, legal_turnaround_business_days=3
    )
    host = shared_campaign.parties.get(organization=company_a)
    return DeliverableFactory(
        campaign=shared_campaign,
        title="Landing page",
        type=Deliverable.Type.LANDING_PAGE,
        channel_party=host,
        due_date=MONDAY,
        needs_legal_review=True,
        needs_signoff=True,
    )


def test_latest_safe_start_counts_back_over_the_weekend_and_month_end(planned):
    (plan,) = campaign_plan(planned.campaign_id)
    assert (plan.lead_days, plan.legal_days, plan.signoff_days) == (5, 3, 2)
    assert plan.review_start == datetime.date(2027, 2, 22)  # 5 business days before Monday 1 March
    assert plan.latest_safe_start == datetime.date(2027, 2, 15)


def test_an_infeasible_deliverable_is_flagged_with_its_numbers(planned):
    four_days_before = datetime.datetime(2027, 2, 23, 9, tzinfo=datetime.UTC)  # Tuesday: 4 business days left

    (finding,) = deliverable_infeasible(Campaign.objects.all(), four_days_before)

    assert finding.subject == f"deliverable:{planned.pk}"
    assert finding.detail.startswith(
        "“Landing page” is due in 4 business days; Company A needs 5 for posting web content"
    )
    assert "3 for legal review (Company B)" in finding.detail and "2 for sign-off" in finding.detail


def test_deliverables_planned_a_few_at_a_time_are_all_flagged_with_their_own_companys_numbers(planned, monkeypatch):
    """The check plans a chunk of deliverables per query: each still gets its own lead time and review."""
    monkeypatch.setattr("campaigns.checks.plans.PLANNED_PER_QUERY", 1)
    unreviewed = DeliverableFactory(
        campaign=planned.campaign,
        title="Teaser post",
        type=Deliverable.Type.LANDING_PAGE,
        channel_party=planned.channel_party,
        due_date=MONDAY,
        needs_legal_review=False,
        needs_signoff=False,
    )
    four_days_before = datetime.datetime(2027, 2, 23, 9, tzinfo=datetime.UTC)

    found = deliverable_infeasible(Campaign.objects.all(), four_days_before)
    findings = {finding.subject: finding.detail for finding in found}

    assert set(findings) == {f"deliverable:{planned.pk}", f"deliverable:{unreviewed.pk}"}
    assert "3 for legal review (Company B)" in findings[f"deliverable:{planned.pk}"]
    assert "legal review" not in findings[f"deliverable:{unreviewed.pk}"]


def test_a_deliverable_with_time_enough_or_already_started_is_not_flagged(planned):
    in_time = datetime.datetime(2027, 2, 15, 9, tzinfo=datetime.UTC)
    assert list(deliverable_infeasible(Campaign.objects.all(), in_time)) == []
    Deliverable.objects.filter(pk=planned.pk).update(status=Deliverable.Status.IN_PROGRESS)
    assert list(deliverable_infeasible(Campaign.objects.all(), in_time + datetime.timedelta(days=8))) == []


@pytest.mark.parametrize(
    "lead_days, legal_review, signoff, flagged",
    [
        (0, False, True, True),  # the sign-off alone needs 2 days, 1 is left
        (0, True, False, True),  # the legal review alone needs 3
        (5, False, False, True),  # the lead time alone needs 5
        (0, False, False, False),  # nothing to wait for: it can be done on the day
    ],
)
def test_any_one_wait_alone_can_make_a_deliverable_too_late(
    shared_campaign, company_a, company_b, lead_days, legal_review, signoff, flagged
):
    KickoffCompanyPart.objects.create(campaign=shared_campaign, organization=company_a, web_content_lead_days=lead_days)
    KickoffCompanyPart.objects.create(
        campaign=shared_campaign, organization=company_b, has_legal_review=True, legal_turnaround_business_days=3
    )
    deliverable = DeliverableFactory(
        campaign=shared_campaign,
        type=Deliverable.Type.LANDING_PAGE,
        channel_party=shared_campaign.parties.get(organization=company_a),
        due_date=MONDAY,
        needs_legal_review=legal_review,
        needs_signoff=signoff,
    )
    friday_before = datetime.datetime(2027, 2, 26, 9, tzinfo=datetime.UTC)  # 1 business day left

    found = [finding.subject for finding in deliverable_infeasible(Campaign.objects.all(), friday_before)]

    assert found == ([f"deliverable:{deliverable.pk}"] if flagged else [])


def test_moving_the_event_a_week_moves_unpinned_unfinished_work_as_previewed(shared_campaign, alice):
    Campaign.objects.filter(pk=shared_campaign.pk).update(launch_date=MONDAY, end_date=None)
    shared_campaign.refresh_from_db()
    moving = DeliverableFactory(campaign=shared_campaign, due_date=datetime.date(2027, 2, 26))  # Friday
    pinned = DeliverableFactory(campaign=shared_campaign, due_date=datetime.date(2027, 2, 24), is_pinned=True)
    done = DeliverableFactory(
        campaign=shared_campaign, due_date=datetime.date(2027, 2, 10), status=Deliverable.Status.CANCELLED
    )
    new_event = MONDAY + datetime.timedelta(days=7)

    preview = event_move_preview(campaign=shared_campaign, new_event=new_event)
    history_before = moving.history.count()
    applied = event_move(campaign=shared_campaign, new_event=new_event, user=alice)

    assert [(m.deliverable.pk, m.old, m.new) for m in preview.moves] == [
        (moving.pk, datetime.date(2027, 2, 26), datetime.date(2027, 3, 5))
    ]
    assert [(m.deliverable.pk, m.new) for m in applied.moves] == [(m.deliverable.pk, m.new) for m in preview.moves]
    for row in (moving, pinned, done, shared_campaign):
        row.refresh_from_db()
    assert moving.due_date == datetime.date(2027, 3, 5)
    assert pinned.due_date == datetime.date(2027, 2, 24) and done.due_date == datetime.date(2027, 2, 10)
    assert shared_campaign.launch_date == new_event
    assert moving.history.count() == history_before + 1
    assert moving.history.first().history_change_reason == "Event moved from 1 Mar 2027 to 8 Mar 2027"


def test_api_previews_then_applies_and_only_the_host_moves(shared_campaign, alice, carol):
    Campaign.objects.filter(pk=shared_campaign.pk).update(launch_date=MONDAY, end_date=None)
    DeliverableFactory(campaign=shared_campaign, due_date=datetime.date(2027, 2, 26))
    url = f"/api/campaigns/{shared_campaign.pk}/move-event/"

    preview = api_of(alice).post(url, {"event_date": "2027-03-08"}, format="json")
    refused = api_of(carol).post(url, {"event_date": "2027-03-08", "apply": True}, format="json")
    applied = api_of(alice).post(url, {"event_date": "2027-03-08", "apply": True}, format="json")
    bad = api_of(alice).post(url, {"event_date": "soon"}, format="json")
    far = api_of(alice).post(url, {"event_date": "9999-12-31"}, format="json")

    assert preview.status_code == 200 and preview.json()["moves"][0]["new_due_date"] == "2027-03-05"
    assert Campaign.objects.get(pk=shared_campaign.pk).launch_date == datetime.date(2027, 3, 8)
    assert refused.status_code == 403 and bad.status_code == 400
    assert far.status_code == 400 and "within three years" in far.content.decode()
    assert applied.json()["moves"] == preview.json()["moves"] and applied.json()["applied"] is True


def test_admin_shows_the_preview_before_applying(shared_campaign, alice):
    Campaign.objects.filter(pk=shared_campaign.pk).update(launch_date=MONDAY, end_date=None)
    DeliverableFactory(campaign=shared_campaign, title="Invitation", due_date=datetime.date(2027, 2, 26))
    client = admin_of(alice)
    url = f"/admin/campaigns/campaign/{shared_campaign.pk}/move-event/"

    preview = client.post(url, {"event_date": "2027-03-08", "preview": "1"})
    assert "Fri 26 Feb" in preview.content.decode() and "Fri 5 Mar" in preview.content.decode()
    assert Campaign.objects.get(pk=shared_campaign.pk).launch_date == MONDAY

    applied = client.post(url, {"event_date": "2027-03-08", "previewed": "2027-03-08", "apply": "1"})
    assert applied.status_code == 302
    assert Deliverable.objects.get(title="Invitation").due_date == datetime.date(2027, 3, 5)


def test_plan_api_returns_the_timeline_dates(planned, alice, carol):
    from tests.meetings.factories import series_for

    series_for(planned.campaign, first_date=datetime.date(2027, 2, 16))
    plan = api_of(alice).get(f"/api/campaigns/{planned.campaign_id}/plan/").json()

    (row,) = plan["deliverables"]
    assert (
        row["latest_safe_start"] == "2027-02-15"
        and row["review_start"] == "2027-02-22"
        and row["due_date"] == "2027-03-01"
    )
    assert {"day": "2027-02-16", "label": "Weekly joint meeting"} in plan["marks"]
    assert plan["event_date"] == planned.campaign.launch_date.isoformat()


def test_the_home_page_draws_the_timeline_with_bars_reviews_meetings_and_the_event(planned, alice):
    from tests.meetings.factories import series_for

    Campaign.objects.filter(pk=planned.campaign_id).update(launch_date=MONDAY, end_date=None)
    series_for(planned.campaign, first_date=datetime.date(2027, 2, 16))

    page = admin_of(alice).get(f"/admin/campaigns/campaign/{planned.campaign_id}/home/").content.decode()

    timeline = page.split("cockpit-timeline")[1].split("</svg>")[0]
    assert "Landing page (Company A): start by Mon 15 Feb, ready for review by Mon 22 Feb, due Mon 1 Mar" in timeline
    assert 'class="timeline-work"' in timeline and 'class="timeline-review"' in timeline
    assert "Weekly joint meeting (Tue 16 Feb)" in timeline and ">event</text>" in timeline
