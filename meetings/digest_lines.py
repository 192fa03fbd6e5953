"""Open action items and decisions waiting for each person, in their weekly digest (registered with campaigns'
digest registry)."""

import datetime

from campaigns.models import Campaign, company_takes_part
from campaigns.registries import digest
from campaigns.registries.reminder_sources import day_label
from meetings.models import ActionItem, Decision


@digest.digest_source
def open_action_items(person_ids: list[int], now: datetime.datetime) -> list[digest.DigestLine]:
    """Open action items each person owns, in open campaigns their company takes part in. One query."""
    rows = (
        ActionItem.objects.open()
        .filter(owner__person_id__in=person_ids, meeting__series__campaign__in=Campaign.objects.open())
        .filter(company_takes_part("meeting__series__campaign_id", "owner__person__organization_id"))
        .values_list("owner__person_id", "meeting__series__campaign_id", "title", "due_date")
        .order_by("due_date", "pk")
    )
    today = now.date()
    return [
        digest.DigestLine(
            person_id=person_id,
            campaign_id=campaign_id,
            # The digest puts the campaign's name before every line: not said twice.
            text=f"Action item “{title}” — due {day_label(due_date)}" + (" (overdue)" if due_date < today else ""),
            due=due_date,
        )
        for person_id, campaign_id, title, due_date in rows
    ]


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


@digest.digest_source
def pending_decisions(person_ids: list[int], now: datetime.datetime) -> list[digest.DigestLine]:
    """Pending decisions each person must make, in open campaigns their company takes part in. One query."""
    rows = (
        Decision.objects.pending()
        .filter(decided_by__person_id__in=person_ids, campaign__in=Campaign.objects.open())
        .filter(company_takes_part("campaign_id", "decided_by__person__organization_id"))
        .values_list("decided_by__person_id", "campaign_id", "text", "needed_by", "created_at")
        .order_by("needed_by", "pk")
    )
    return [
        digest.DigestLine(
            person_id=person_id,
            campaign_id=campaign_id,
            text=f"Decision for you to make: “{text[:80]}” — pending for {_days((now - raised).days)}"
            + (f", needed by {day_label(needed_by)}" if needed_by else ""),
            due=needed_by,
        )
        for person_id, campaign_id, text, needed_by, raised in rows
    ]
