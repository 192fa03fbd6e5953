"""Writing comments: mentions resolved, edits kept in history, and the people concerned told once."""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Comment, Reminder
from campaigns.outbox.notices import COMMENT, notice_send
from campaigns.registries.commentable import commentables
from partners.models import Person
from utilities.validation import save_validated


@transaction.atomic
def comment_save(*, comment: Comment, user: Any) -> Comment:
    """Save a new or edited comment (version-checked, validated: mentions found in `clean`). Who is told, once each:
    on a new comment, the people it mentions and the followers of its target (a deliverable's Responsible and
    Accountable); on an edit, the people it now mentions who were not told of it yet."""
    is_new = comment.pk is None
    if not is_new:
        comment.edited_at = timezone.now()
    comment._history_user = user
    save_validated(comment)
    mentioned = comment.mentions_found
    comment.mentioned.set(mentioned)
    to_tell = {person.pk for person in mentioned}
    entry = commentables[comment.target_kind]
    if is_new and entry.followers is not None:
        to_tell |= set(entry.followers(comment.target()))
    if not is_new:
        to_tell -= set(
            Reminder.objects.filter(kind=COMMENT, subject=_subject(comment)).values_list("person_id", flat=True)
        )
    _tell(comment, to_tell, mentioned_ids={person.pk for person in mentioned})
    return comment


def _subject(comment: Comment) -> str:
    return f"comment:{comment.pk}"


def _tell(comment: Comment, person_ids: set[int], *, mentioned_ids: set[int]) -> None:
    """One message per person per save, whether mentioned twice or both mentioned and Responsible; never to its
    author, and a note for one company only to that company's people."""
    people = Person.objects.filter(pk__in=person_ids).exclude(pk=comment.author_id)
    if comment.only_my_company:
        people = people.filter(organization_id=comment.organization_id)
    people = list(people.order_by("pk"))
    if not people:
        return
    author = comment.author.full_name if comment.author else "The operator"
    target = comment.target()
    where = f"{comment.target_label} “{target}” of the campaign “{comment.campaign}”"
    for person in people:
        why = "mentioned you in a comment on" if person.pk in mentioned_ids else "commented on"
        notice_send(
            kind=COMMENT,
            subject=_subject(comment),
            people=[person],
            campaign=comment.campaign,
            subject_line=f"{author} {why} “{target}”",
            paragraphs=[
                f"{author} {why} the {where}"
                + (" (a note for your company only)" if comment.only_my_company else "")
                + ":",
                comment.text,
            ],
            link_path=reverse(commentables[comment.target_kind].admin_change, args=[comment.target_id]),
            at=comment.edited_at or comment.created_at,
        )
