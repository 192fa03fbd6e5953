"""Registry of one-click answers from e-mail ("Approve", "Request changes", "Done", "Accept"): each names the row it
answers, the rule it needs (as the admin applies it), the service that performs it, and what it is bound to.
Campaigns registers sign-offs and invitations; meetings registers action items (campaigns never imports meetings)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    kind: str  # "signoff"
    action: str  # "approve"
    label: str  # "Approve", the button's words
    model: type
    rule: str  # the rule action the admin checks for the same answer ("decide", "change"…)
    describe: Callable[[Any], str]  # the row in words, for the confirmation page
    # What the answer is bound to, in words ({"title": "Landing page", …}): a link whose row changed since the mail is
    # refused, showing these before and after.
    state: Callable[[Any], dict[str, str]]
    perform: Callable[[Any, Any, str], None]  # (row, user, note): the same service the admin calls
    note: str = ""  # when the answer needs a note (requesting changes), what to ask for
    # The version a link is bound to: the row's own, or, where the answer is about other rows too (a sign-off
    # approves its deliverable's content), theirs as well.
    version: Callable[[Any], str] = lambda row: str(row.version)


answers: dict[tuple[str, str], Answer] = {}


def answer(entry: Answer) -> Answer:
    answers[entry.kind, entry.action] = entry
    return entry
