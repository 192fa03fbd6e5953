"""Registry of what people may comment on: campaigns registers deliverables, flags and KPIs; meetings registers its
meetings and decisions (campaigns never imports meetings). A comment names its target by the kind registered here
and the row's id, so nothing outside this list can be commented on."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# A target row -> ids of the people told of every new comment on it (a deliverable's Responsible and Accountable).
Followers = Callable[[Any], Iterable[int]]


@dataclass(frozen=True)
class Commentable:
    kind: str  # "deliverable"
    model: type  # a scoped model whose queryset has a `campaign_path`
    admin_change: str  # the admin URL name of the target's change page, where its thread shows
    followers: Followers | None = None

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


commentables: dict[str, Commentable] = {}


def commentable(kind: str, model: type, *, admin_change: str, followers: Followers | None = None) -> None:
    commentables[kind] = Commentable(kind, model, admin_change, followers)


def kind_of(model: type) -> str | None:
    return next((entry.kind for entry in commentables.values() if entry.model is model), None)
