"""Telling the campaign's leads when a company supersedes or withdraws one of its decisions: the other companies
planned on its word. Sent once per event through the outbox (`notice_send`)."""

import datetime
from collections.abc import Iterable

from django.urls import reverse

from campaigns.outbox.notices import campaign_leads, notice_send
from campaigns.registries import reminder_sources
from meetings.models import Decision
from partners.models import Person

DECISION_CHANGE = "decision_change"


@reminder_sources.reminder_source(DECISION_CHANGE, label="A company's decision superseded or withdrawn", render=None)
def _no_scheduled_decision_changes(now: datetime.datetime) -> Iterable[reminder_sources.DueReminder]:
    return ()  # sent when the decision changes, never found by the sweep


def _notify(decision: Decision, *, by: Person | None, headline: str, paragraphs: list[str], at) -> list[int]:
    campaign = decision.campaign
    return notice_send(
        kind=DECISION_CHANGE,
        subject=f"decision:{decision.pk}",
        people=[person for person in campaign_leads(campaign) if by is None or person.pk != by.pk],
        campaign=campaign,
        subject_line=f"{headline} — {campaign}",
        paragraphs=paragraphs,
        link_path=reverse("admin:meetings_decision_change", args=[decision.pk]),
        at=at,
        sent_for=by,
    )


def decision_withdrawn_send(decision: Decision) -> list[int]:
    company, by = decision.binding_company, decision.withdrawn_by
    was = "pending decision" if decision.decided_at is None else "decision"
    return _notify(
        decision,
        by=by,
        headline=f"{company} withdrew a {was}",
        paragraphs=[
            f"{company} withdrew its {was} “{decision.text}” on the campaign “{decision.campaign}”"
            + (f" (withdrawn by {by.full_name})." if by else "."),
            "It no longer binds anyone; the decision log keeps it, marked withdrawn.",
        ],
        at=decision.withdrawn_at,
    )


def decision_superseded_send(old: Decision, new: Decision, by: Person | None) -> list[int]:
    company = old.binding_company
    return _notify(
        old,
        by=by,
        headline=f"{company} superseded a decision",
        paragraphs=[
            f"{company} replaced its decision “{old.text}” on the campaign “{old.campaign}”.",
            f"Now decided: “{new.text}” ({new.decided_by.person.full_name}).",
        ],
        at=new.decided_at,
    )
