"""The cockpit: "My work" (the admin index) and a campaign's home page show what waits for whom, stay fresh,
and run a number of queries that does not grow with the campaigns a user can see."""

import datetime

import pytest
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from campaigns.models import Campaign, Flag, RaciAssignment, SignoffRequest
from campaigns.selectors.flags import with_flag_columns, worst_first_candidates
from campaigns.services.health import health_sweep
from campaigns.services.invitations import invitation_create
from meetings.models import ActionItem
from tests.campaigns.factories import DeliverableFactory, joint_campaign, member_of
from tests.campaigns.kickoff_factories import kpi, measurement
from tests.clients import admin_of
from tests.conftest import member_of_user
from tests.meetings.factories import series_for
from tests.querycount import queries_of
from utilities import charts

today = timezone.localdate  # read at each use: a date fixed at import goes stale in a run that passes midnight


def _work_for(campaign, alice, carol):
    """One of everything a person can owe on a campaign: Alice is R on an overdue deliverable, reviewer of a
    sign-off, owner of an action item, and attends the weekly meeting; Carol's company is invited elsewhere."""
    alice_member = member_of_user(campaign, alice, is_decision_maker=True)
    carol_member = member_of_user(campaign, carol, is_project_lead=True)
    late = DeliverableFactory(
        campaign=campaign, title=f"Landing page of {campaign.name}", due_date=today() - datetime.timedelta(days=2)
    )
    RaciAssignment.objects.create(deliverable=late, member=alice_member, role="R")
    RaciAssignment.objects.create(deliverable=late, member=carol_member, role="A")
    SignoffRequest.objects.create(deliverable=late, kind="signoff", reviewer=alice.person, due_date=today())
    series = series_for(campaign, facilitator=alice_member, first_date=today() + datetime.timedelta(days=1))
    meeting = series.meetings.order_by("starts_at").first()
    ActionItem.objects.create(
        meeting=meeting, title=f"Send the speaker brief ({campaign.name})", owner=alice_member, due_date=today()
    )
    measurement(kpi(campaign, "registrations", target="300"), "120", by=carol.person, end=today())
    return late


def grow(company_a, company_b, alice, carol, campaigns: int) -> None:
    for index in range(campaigns):
        campaign = joint_campaign(company_a, company_b, name=f"Campaign {index:02}")
        _work_for(campaign, alice, carol)


def test_my_work_lists_what_waits_for_me(alice, carol, charlie, company_a, company_b, company_c):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    _work_for(campaign, alice, carol)
    elsewhere = joint_campaign(company_b, name="B's summit")
    invitation_create(user=carol, campaign=elsewhere, organization=company_a)
    health_sweep()

    page = admin_of(alice).get("/admin/").content.decode()

    assert "Landing page of Joint webinar" in page and "overdue" in page  # due two days ago, I am R
    assert "Sign-offs and legal reviews waiting for you" in page and "Decide" in page
    assert "Send the speaker brief (Joint webinar)" in page and ">Done</button>" in page
    assert "Your meetings" in page and "Log it" in page  # I facilitate
    assert "invites your company to" in page and "B&#x27;s summit" in page
    campaigns = page.split('aria-label="Your campaigns"')[1]  # the panel's own table
    assert "Joint webinar" in campaigns and "Critical: No decision maker" in campaigns  # Company B named none
    # Low-level rows are reached from their campaign, not from the index.
    assert "/admin/campaigns/raciassignment/" not in page and "/admin/campaigns/party/" not in page


def test_my_work_of_another_company_shows_none_of_it(alice, carol, charlie, company_a, company_b):
    _work_for(joint_campaign(company_a, company_b, name="Joint webinar"), alice, carol)

    page = admin_of(charlie).get("/admin/").content.decode()

    assert "Joint webinar" not in page and "Landing page" not in page and "speaker brief" not in page


def test_marking_an_action_item_done_from_my_work_is_one_click(alice, carol, company_a, company_b):
    _work_for(joint_campaign(company_a, company_b, name="Joint webinar"), alice, carol)
    item = ActionItem.objects.get()

    response = admin_of(alice).post(f"/admin/meetings/actionitem/{item.pk}/done/", {"next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.history.first().history_user == alice


def test_an_outsider_cannot_tick_off_someone_elses_action_item(alice, carol, charlie, company_a, company_b):
    _work_for(joint_campaign(company_a, company_b), alice, carol)
    item = ActionItem.objects.get()

    assert admin_of(charlie).post(f"/admin/meetings/actionitem/{item.pk}/done/").status_code == 404
    assert admin_of(alice).get(f"/admin/meetings/actionitem/{item.pk}/done/").status_code == 405
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_the_campaign_home_shows_the_state_at_a_glance(alice, carol, company_a, company_b):
    ten_days = datetime.timedelta(days=10)
    campaign = joint_campaign(
        company_a,
        company_b,
        name="Joint webinar",
        kickoff_date=today() - ten_days,
        launch_date=today() + ten_days,
        end_date=today() + ten_days,
    )
    _work_for(campaign, alice, carol)
    health_sweep()

    page = admin_of(carol).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()

    assert "Joint webinar" in page and "hosted by <strong>Company A</strong>" in page
    assert "Overdue" in page and "Landing page of Joint webinar" in page  # the deliverable timeline
    assert "<svg" in page and "40.0 %" in page and "50 % of the time" in page  # 120 of 300, half the time gone
    assert "behind pace" in page
    assert "Send the speaker brief" in page  # the meetings app's panel
    assert "Kickoff questionnaire" in page or "kickoff questions answered" in page
    assert "RACI matrix" in page and "KPI figures (CSV)" in page and "Calendar feed" in page
    assert "Invite a company" not in page  # Carol's company is the partner: the host invites


def test_the_home_of_a_campaign_of_others_is_not_found(alice, carol, charlie, company_a, company_b):
    campaign = joint_campaign(company_a, company_b)
    assert admin_of(charlie).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").status_code == 404


def test_naming_a_decision_maker_clears_the_flag_in_the_same_request(
    alice, carol, company_a, company_b, django_capture_on_commit_callbacks
):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    member = member_of_user(campaign, alice)
    member_of(campaign, company_b, is_decision_maker=True)
    health_sweep()
    assert Flag.objects.open().filter(campaign=campaign, code="no_decision_maker").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_of(alice).post(
            f"/admin/campaigns/member/{member.pk}/change/",
            {"is_decision_maker": "on", "_save": "Save"},
        )

    assert response.status_code == 302
    assert not Flag.objects.open().filter(campaign=campaign, code="no_decision_maker").exists()
    home = admin_of(alice).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()
    assert "No decision maker" not in home


@pytest.mark.parametrize("url", ["/admin/", "/admin/campaigns/campaign/{pk}/home/"])
def test_my_work_and_the_home_page_do_not_grow_with_the_campaigns(alice, carol, company_a, company_b, url):
    first = joint_campaign(company_a, company_b, name="First")
    _work_for(first, alice, carol)
    client = admin_of(alice)

    def count_at(campaigns: int) -> int:
        grow(company_a, company_b, alice, carol, campaigns)
        health_sweep()
        return queries_of(lambda: client.get(url.format(pk=first.pk)))

    assert count_at(2) == count_at(27)


def test_each_company_agrees_to_the_kpis_with_a_button_that_shows_the_targets(
    alice, carol, charlie, company_a, company_b
):
    from campaigns.models import KpiRound

    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    kpi(campaign, "registrations", target="300")
    home = admin_of(alice).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()
    round_ = KpiRound.objects.get(campaign=campaign)
    assert f"/admin/campaigns/kpiround/{round_.pk}/agree/" in home and "Review and agree" in home

    page = admin_of(carol).get(f"/admin/campaigns/kpiround/{round_.pk}/agree/").content.decode()
    assert "300" in page and "Agree to these KPIs for my company" in page
    assert admin_of(charlie).get(f"/admin/campaigns/kpiround/{round_.pk}/agree/").status_code == 404

    for user in (carol, alice):
        assert (
            admin_of(user).post(f"/admin/campaigns/kpiround/{round_.pk}/agree/", {"answer": "agree"}).status_code == 302
        )
    round_.refresh_from_db()
    assert round_.is_locked
    assert (
        "Agree to these KPIs"
        not in admin_of(alice).get(f"/admin/campaigns/kpiround/{round_.pk}/agree/").content.decode()
    )

    admin_of(carol).post(f"/admin/campaigns/kpiround/{round_.pk}/agree/", {"answer": "change", "reason": "Budget cut"})
    reopened = KpiRound.objects.current().get(campaign=campaign)
    assert reopened.number == 2 and reopened.reason == "Budget cut" and not reopened.is_locked


def test_a_company_completes_its_kickoff_part_with_a_button_once_its_questions_are_answered(
    alice, carol, company_a, company_b
):
    from campaigns.models import KickoffCompanyPart
    from tests.campaigns.kickoff_factories import complete_company_part

    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    part = complete_company_part(campaign, company_b)
    KickoffCompanyPart.objects.filter(pk=part.pk).update(completed_at=None, completed_by=None)
    home = admin_of(carol).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()
    assert "Mark our part complete" in home

    assert admin_of(alice).post(f"/admin/campaigns/kickoffcompanypart/{part.pk}/complete/").status_code == 403
    assert admin_of(carol).post(f"/admin/campaigns/kickoffcompanypart/{part.pk}/complete/").status_code == 302
    part.refresh_from_db()
    assert part.completed_at is not None and part.completed_by == carol.person


def test_my_company_confirms_its_peoples_tool_access_from_the_home_page(alice, carol, company_a, company_b):
    from campaigns.models import ToolAccess
    from campaigns.services.kickoff import questionnaire_get_or_create

    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    questionnaire = questionnaire_get_or_create(campaign=campaign)
    questionnaire.video_meeting_tool = "Zoom"
    questionnaire.save()
    carols_member = member_of_user(campaign, carol)
    home = admin_of(carol).get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()
    assert "Your company's access to the shared tools" in home and "not confirmed" in home
    tool = "video_meeting"

    other_company = admin_of(alice).post(
        "/admin/campaigns/toolaccess/confirm/",
        {"member": carols_member.pk, "tool": tool, "has_access": "yes"},
        follow=True,
    )
    assert not ToolAccess.objects.exists()  # refused, with the rule's reason on the page
    assert any("Company B" in str(message) for message in other_company.context["messages"])

    mine = admin_of(carol).post(
        "/admin/campaigns/toolaccess/confirm/", {"member": carols_member.pk, "tool": tool, "has_access": "yes"}
    )
    assert mine.status_code == 302
    access = ToolAccess.objects.get()
    assert access.has_access and access.confirmed_by == carol.person


def test_a_kpi_chart_is_drawn_once_per_change_of_its_figures(alice, carol, company_a, company_b, monkeypatch):
    cache.clear()
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    registrations = kpi(campaign, "registrations", target="300")
    measurement(registrations, "120", by=carol.person, end=today() - datetime.timedelta(days=7))
    drawn = []
    draw = charts._render
    monkeypatch.setattr(
        charts, "_render", lambda series, out, **kwargs: (drawn.append(series), draw(series, out, **kwargs))
    )
    home = f"/admin/campaigns/campaign/{campaign.pk}/home/"

    first = admin_of(carol).get(home).content.decode()
    again = admin_of(alice).get(home).content.decode()

    assert len(drawn) == 1
    start = first.index('<div class="cockpit-kpi-chart">')
    chart = first[start : first.index("</svg>", start)]
    assert chart in again
    assert "40.0 %" in again  # the figures in words, beside the chart

    measurement(registrations, "150", by=carol.person, end=today())
    changed = admin_of(carol).get(home).content.decode()

    assert len(drawn) == 2 and chart not in changed and "50.0 %" in changed


def test_my_work_lists_campaigns_worst_first_exactly_as_ranking_them_all_would(company_a, company_b):
    """The panel reads each severity's first campaigns by launch date instead of ranking every campaign; the
    first rows must be the same whatever their mix (here every cut of eight campaigns)."""
    now = timezone.now()
    # (days to launch, severities of its flags needing attention, one more flag acknowledged, so not counted)
    mix = [
        (5, ["warning"], False),
        (1, [], True),
        (3, ["critical", "info"], False),
        (2, ["info"], False),
        (8, ["critical"], False),
        (4, [], False),
        (6, ["warning", "info"], True),
        (7, ["info"], False),
    ]
    for days, severities, acknowledged in mix:
        campaign = joint_campaign(company_a, company_b, launch_date=today() + datetime.timedelta(days=days))
        for n, severity in enumerate(severities):
            Flag.objects.create(
                campaign=campaign, code=f"c{n}", severity=severity, title="t", opened_at=now, last_seen_at=now
            )
        if acknowledged:
            Flag.objects.create(
                campaign=campaign,
                code="ack",
                severity="critical",
                title="t",
                opened_at=now,
                last_seen_at=now,
                acknowledged_at=now,
            )
    worst_first = (F("worst_flag_rank").asc(nulls_last=True), "launch_date", "pk")
    everything = Campaign.objects.open()
    ranked_all = list(with_flag_columns(everything, today()).order_by(*worst_first).values_list("pk", flat=True))
    assert len(ranked_all) == 8

    for rows in range(1, 9):
        candidates = worst_first_candidates(everything, today(), rows)
        ranked = with_flag_columns(candidates, today()).order_by(*worst_first).values_list("pk", flat=True)
        assert list(ranked[:rows]) == ranked_all[:rows]
