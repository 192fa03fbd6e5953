"""An action item is ticked off from its reminder e-mail with one click ("Done"), through the same rule and service as
on "My work"."""

from campaigns.registries.answers import Answer, answer
from meetings.models import ActionItem
from meetings.services import action_item_mark_done
from partners.scoping import CHANGE

answer(
    Answer(
        kind="action_item",
        action="done",
        label="Done",
        model=ActionItem,
        rule=CHANGE,
        describe=lambda item: f"the action item “{item.title}”",
        state=lambda item: {"title": item.title, "due date": str(item.due_date), "status": item.get_status_display()},
        perform=lambda item, user, note: action_item_mark_done(item=item, user=user),
    )
)
