"""People who left: a deactivated person's calendar feeds are revoked (so they stay closed if the person is
reactivated: they subscribe anew), and their pending decisions and open action items are listed to their company's
administrators to hand over. Registered with partners' registries."""

from django.urls import reverse

from meetings.models import ActionItem, CalendarToken, Decision
from meetings.services import calendar_token_revoke
from partners.governance import Responsibility, deactivation_hook, responsibility_source
from partners.models import Person


@deactivation_hook
def revoke_calendar_feeds(person: Person) -> None:
    if person.user_id is None:
        return
    for token in CalendarToken.objects.filter(owner_id=person.user_id, revoked_at__isnull=True):
        calendar_token_revoke(token=token)


@responsibility_source
def meeting_responsibilities(person: Person) -> list[Responsibility]:
    held = [
        Responsibility(
            f"Decision waiting for them: “{decision}” ({decision.campaign})",
            reverse("admin:meetings_decision_change", args=[decision.pk]),
        )
        for decision in Decision.objects.pending()
        .filter(decided_by__person=person)
        .select_related("campaign")
        .order_by("created_at")
    ]
    held += [
        Responsibility(
            f"Open action item: “{item}”, due {item.due_date:%-d %b %Y} ({item.meeting.series.campaign})",
            reverse("admin:meetings_actionitem_change", args=[item.pk]),
        )
        for item in ActionItem.objects.filter(owner__person=person, status=ActionItem.Status.OPEN)
        .select_related("meeting__series__campaign")
        .order_by("due_date")
    ]
    return held
