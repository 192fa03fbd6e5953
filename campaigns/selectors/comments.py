"""Reading comments: a target a person may comment on, and a thread as that person may read it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from campaigns.models import Comment
from campaigns.models.comments import validate_commentable_kind
from campaigns.registries.commentable import commentables


def visible_target(user: Any, kind: str, target_id: Any) -> models.Model:
    """The row a comment goes on, if `user` may see it; otherwise the same refusal a missing row gets."""
    try:
        validate_commentable_kind(kind)
    except ValidationError as refused:
        raise ValidationError({"target_kind": refused.messages}) from None
    entry = commentables[kind]
    try:
        return entry.model._default_manager.for_user(user).get(pk=target_id)
    except (entry.model.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"target_id": f"There is no {entry.label} #{target_id}."}) from None


def thread(user: Any, kind: str, target_id: int) -> models.QuerySet:
    """The comments on one row that `user` may read (a note for another company's eyes only is not among them),
    oldest first, with what a thread shows: one query however long it is."""
    return Comment.objects.for_user(user).on(kind, target_id).select_related("author", "organization")
