"""Moving the event date: every deliverable that is not done and not pinned moves with it."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from campaigns.models import Campaign, Deliverable
from utilities.business_days import add_business_days, business_days_between, within_planning_horizon
from utilities.validation import save_validated


@dataclass(frozen=True)
class DateMove:
    deliverable: Deliverable
    old: datetime.date
    new: datetime.date


@dataclass(frozen=True)
class EventMove:
    campaign: Campaign
    old_event: datetime.date
    new_event: datetime.date
    moves: list[DateMove]
    kept: list[Deliverable]  # pinned or done: they keep their date

    @property
    def shift_business_days(self) -> int:
        return business_days_between(self.old_event, self.new_event)

    def as_dict(self) -> dict:
        return {
            "old_event_date": self.old_event,
            "new_event_date": self.new_event,
            "shift_business_days": self.shift_business_days,
            "moves": [
                {
                    "deliverable": m.deliverable.pk,
                    "title": m.deliverable.title,
                    "old_due_date": m.old,
                    "new_due_date": m.new,
                }
                for m in self.moves
            ],
            "kept": [
                {
                    "deliverable": d.pk,
                    "title": d.title,
                    "due_date": d.due_date,
                    "why": "pinned" if d.is_pinned else "done",
                }
                for d in self.kept
            ],
        }


def event_move_preview(*, campaign: Campaign, new_event: datetime.date) -> EventMove:
    """What moving the event to `new_event` does, before anything changes: each due date shifts by as many
    business days as the event moves."""
    if campaign.launch_date is None:
        raise ValidationError(
            {"event_date": "The campaign has no launch (event) date yet: set it on its details page."}
        )
    if not within_planning_horizon(new_event, timezone.localdate()):
        raise ValidationError({"event_date": "Move the event to a date within three years of today."})
    shift = business_days_between(campaign.launch_date, new_event)
    moves, kept = [], []
    for deliverable in campaign.deliverables.exclude(due_date=None).order_by("due_date", "pk"):
        if deliverable.is_pinned or deliverable.status in Deliverable.DONE_STATUSES:
            kept.append(deliverable)
        else:
            new = add_business_days(deliverable.due_date, shift)
            if new != deliverable.due_date:
                moves.append(DateMove(deliverable, deliverable.due_date, new))
    return EventMove(campaign, campaign.launch_date, new_event, moves, kept)


@transaction.atomic
def event_move(*, campaign: Campaign, new_event: datetime.date, user: Any) -> EventMove:
    """Move the event and re-plan as previewed; the campaign and each moved deliverable get one history entry."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    move = event_move_preview(campaign=campaign, new_event=new_event)
    reason = f"Event moved from {move.old_event:%-d %b %Y} to {new_event:%-d %b %Y}"
    campaign.launch_date = new_event
    # The end follows only when the event would pass it (an end before the launch is refused).
    if campaign.end_date and campaign.end_date < new_event:
        campaign.end_date = add_business_days(campaign.end_date, move.shift_business_days)
    campaign._history_user = user
    campaign._change_reason = reason
    save_validated(campaign)
    for change in move.moves:
        change.deliverable.due_date = change.new
    bulk_update_with_history(
        [change.deliverable for change in move.moves],
        Deliverable,
        ["due_date"],
        default_user=user if getattr(user, "is_authenticated", False) else None,
        default_change_reason=reason,
    )
    return move
