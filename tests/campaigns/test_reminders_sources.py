import datetime
import zoneinfo

import pytest
import time_machine

from campaigns.models import Reminder, ReminderOptOut
from campaigns.outbox.reminders import reminder_sweep
from campaigns.registries import digest
from campaigns.services.health import health_sweep
from tests.campaigns.factories import member_of
from tests.campaigns.sweep_helpers import (
    UTC,
    assigned_deliverable,
    core_checks_only,  # noqa: F401  (fixture)
    healthy_campaign,
    team_member,
    written,
)
from tests.partners.factories import OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("core_checks_only")]
TOKYO, LOS_ANGELES = "Asia/Tokyo", "America/Los_Angeles"


def at(year, month, day, hour, minute=0, zone="UTC"):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))


def sweep(now):
    return reminder_sweep(now=now, enqueue=False)


def rows(kind):
    return {
        (r.person.time_zone, r.subject, r.due_at) for r in Reminder.objects.filter(kind=kind).select_related("person")
    }


@pytest.fixture
def campaign():
    return healthy_campaign()


def test_a_deliverable_due_in_three_days_reminds_its_r_and_a_at_nine_their_time(campaign):
    tokyo = team_member(campaign, time_zone=TOKYO)
    los_angeles = team_member(campaign, time_zone=LOS_ANGELES)
    bystander = team_member(campaign, time_zone="UTC")
    deliverable = assigned_deliverable(
        campaign, due_date=datetime.date(2026, 11, 26), responsible=tokyo, accountable=los_angeles
    )
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 30), responsible=bystander, accountable=bystander)
    subject = f"deliverable:{deliverable.pk}"

    sweep(at(2026, 11, 22, 23, 59))  # 08:59 in Tokyo: not yet
    assert rows("deliverable_due_soon") == set()
    sweep(at(2026, 11, 23, 0, 5))  # 09:05 in Tokyo, still Sunday 16:05 in Los Angeles
    assert rows("deliverable_due_soon") == {(TOKYO, subject, at(2026, 11, 23, 9, zone=TOKYO))}
    sweep(at(2026, 11, 23, 17, 5))  # 09:05 in Los Angeles
    assert rows("deliverable_due_soon") == {
        (TOKYO, subject, at(2026, 11, 23, 9, zone=TOKYO)),
        (LOS_ANGELES, subject, at(2026, 11, 23, 9, zone=LOS_ANGELES)),
    }
    reminder = Reminder.objects.get(person=tokyo.person, kind="deliverable_due_soon")
    email = written(reminder)
    assert "is due on Thu 26 Nov 2026" in email.body_text and "Responsible" in email.body_text
    assert "<p>" in email.body_html and reminder.campaign == campaign


def test_an_overdue_deliverable_reminds_its_r_and_a_the_next_morning_their_time(campaign):
    tokyo = team_member(campaign, time_zone=TOKYO)
    los_angeles = team_member(campaign, time_zone=LOS_ANGELES)
    late = assigned_deliverable(
        campaign, due_date=datetime.date(2026, 11, 22), responsible=tokyo, accountable=los_angeles
    )
    assigned_deliverable(
        campaign, due_date=datetime.date(2026, 11, 22), responsible=tokyo, accountable=tokyo, status="published"
    )

    sweep(at(2026, 11, 23, 17, 5))
    assert rows("deliverable_overdue") == {
        (TOKYO, f"deliverable:{late.pk}", at(2026, 11, 23, 9, zone=TOKYO)),
        (LOS_ANGELES, f"deliverable:{late.pk}", at(2026, 11, 23, 9, zone=LOS_ANGELES)),
    }
    assert (
        "was due on Sun 22 Nov 2026" in written(Reminder.objects.filter(kind="deliverable_overdue").first()).body_text
    )


def test_a_person_who_is_r_and_a_gets_one_reminder(campaign):
    both = team_member(campaign)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 22), responsible=both, accountable=both)
    sweep(at(2026, 11, 23, 10))
    reminder = Reminder.objects.get(kind="deliverable_overdue")
    assert "You are its Responsible and Accountable" in written(reminder).body_text


def test_a_new_critical_flag_reminds_decision_makers_and_project_leads_of_every_party():
    host, partner = OrganizationFactory(), OrganizationFactory()
    campaign = healthy_campaign(host, partner)
    campaign.members.filter(person__organization=partner).update(is_decision_maker=False)
    lead_only = member_of(campaign, partner, is_project_lead=True)
    plain = member_of(campaign, partner)
    opened = at(2026, 11, 23, 10)
    health_sweep(now=opened)

    sweep(opened + datetime.timedelta(minutes=5))

    reminders = Reminder.objects.filter(kind="critical_flag")
    expected = set(campaign.members.filter(is_decision_maker=True).values_list("person_id", flat=True)) | set(
        campaign.members.filter(is_project_lead=True).values_list("person_id", flat=True)
    )
    assert {r.person_id for r in reminders} == expected and lead_only.person_id in expected
    assert plain.person_id not in expected
    assert {r.due_at for r in reminders} == {opened}
    assert "No decision maker" in written(reminders.first()).subject_line


def test_an_acknowledged_critical_flag_reminds_nobody(shared_campaign, alice):
    from campaigns.models import Flag
    from campaigns.services.health import flag_acknowledge

    shared_campaign.members.update(is_project_lead=True)
    health_sweep(now=at(2026, 11, 23, 10))
    for flag in Flag.objects.filter(code="no_decision_maker"):
        flag_acknowledge(flag=flag, user=alice, reason="Known, being fixed")
    sweep(at(2026, 11, 23, 10, 5))
    assert not Reminder.objects.filter(kind="critical_flag").exists()


@pytest.fixture
def action_item_lines(monkeypatch):
    """Stands in for another app's digest lines (meetings registers action items this way)."""

    def lines(person_ids, now):
        return [
            digest.DigestLine(person_id=pid, campaign_id=None, text="Action item “Send bios”") for pid in person_ids
        ]

    monkeypatch.setattr(digest, "sources", [*digest.sources, lines])


def test_the_weekly_digest_arrives_monday_eight_their_time_with_every_apps_lines(campaign, action_item_lines):
    tokyo = team_member(campaign, time_zone=TOKYO)
    los_angeles = team_member(campaign, time_zone=LOS_ANGELES)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 20), responsible=tokyo, accountable=los_angeles)

    sweep(at(2026, 11, 22, 23, 5))  # Monday 08:05 in Tokyo
    sweep(at(2026, 11, 23, 16, 5))  # Monday 08:05 in Los Angeles
    sweep(at(2026, 11, 23, 16, 10))

    digests = {r.person_id: r for r in Reminder.objects.filter(kind="weekly_digest")}
    assert digests[tokyo.person_id].due_at == at(2026, 11, 23, 8, zone=TOKYO)
    assert digests[los_angeles.person_id].due_at == at(2026, 11, 23, 8, zone=LOS_ANGELES)
    text = written(digests[tokyo.person_id]).body_text
    assert "(Responsible) — due Fri 20 Nov 2026 (overdue)" in text and "Action item “Send bios”" in text
    assert f"{campaign.name}: Deliverable" in text
    assert Reminder.objects.filter(kind="weekly_digest").count() == campaign.members.count()


def test_the_weekly_digest_goes_to_whoever_has_an_open_item_and_to_nobody_else(campaign, monkeypatch):
    """Those Responsible or Accountable are found all at once, the others through every app's lines: both get a
    digest, and someone with nothing open gets none."""
    responsible = team_member(campaign, time_zone="UTC")
    with_an_action_item = team_member(campaign, time_zone="UTC")
    with_nothing_open = team_member(campaign, time_zone="UTC")
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 27), responsible=responsible)

    def action_items(person_ids, now):
        return [
            digest.DigestLine(person_id=pid, campaign_id=None, text="Action item “Send bios”")
            for pid in person_ids
            if pid == with_an_action_item.person_id
        ]

    monkeypatch.setattr(digest, "sources", [*digest.sources, action_items])
    sweep(at(2026, 11, 23, 8, 5))
    got = set(Reminder.objects.filter(kind="weekly_digest").values_list("person_id", flat=True))
    assert got == {responsible.person_id, with_an_action_item.person_id}
    assert with_nothing_open.person_id not in got


def test_the_weekly_digest_waits_for_next_monday_when_it_is_not_monday(campaign, action_item_lines):
    sweep(at(2026, 11, 25, 10))
    assert not Reminder.objects.filter(kind="weekly_digest").exists()


def test_a_person_can_turn_off_one_kind_and_keeps_the_others(campaign, action_item_lines):
    member = team_member(campaign)
    assigned_deliverable(campaign, due_date=datetime.date(2026, 11, 22), responsible=member)
    ReminderOptOut.objects.create(person=member.person, kind="weekly_digest")
    result = sweep(at(2026, 11, 23, 9, 30))
    kinds = set(Reminder.objects.filter(person=member.person).values_list("kind", flat=True))
    assert kinds == {"deliverable_overdue"} and result.opted_out == 1


@pytest.mark.parametrize(
    ("first_due", "transition"),
    [
        (datetime.date(2026, 3, 5), "spring forward on 8 March"),
        (datetime.date(2026, 10, 29), "fall back on 1 November"),
    ],
)
def test_daily_reminders_fire_once_per_local_day_across_dst(campaign, first_due, transition):
    """Due-soon reminders for a deliverable due on each of ten days, with the sweep running every hour."""
    zone = "America/New_York"
    member = team_member(campaign, time_zone=zone)
    for offset in range(10):
        assigned_deliverable(campaign, due_date=first_due + datetime.timedelta(days=offset), responsible=member)
    moment = datetime.datetime.combine(first_due - datetime.timedelta(days=4), datetime.time(0), tzinfo=UTC)
    end = moment + datetime.timedelta(days=11)
    while moment < end:
        with time_machine.travel(moment, tick=False):
            reminder_sweep(enqueue=False)
        moment += datetime.timedelta(hours=1)

    local_moments = [
        r.due_at.astimezone(zoneinfo.ZoneInfo(zone))
        for r in Reminder.objects.filter(kind="deliverable_due_soon", person=member.person).order_by("due_at")
    ]
    assert [m.time() for m in local_moments] == [datetime.time(9)] * 10, transition
    local_days = [m.date() for m in local_moments]
    assert local_days == [first_due - datetime.timedelta(days=3 - offset) for offset in range(10)]
