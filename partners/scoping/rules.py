"""Authority: who may do what to a row, declared once per model.

A rule is a small boolean expression over named *relations* between a company and a row:
"party" (the company takes part in the row's campaign), "host", "owner" (the row is the
company's own part), and so on. Each scoped queryset says how every relation it uses reads
in SQL (`relation_q`) and declares one rule per action in `rules`. The same expression is
evaluated in Python (`allows`) by the permission-matrix test, so the table lives in one place.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
STANDARD_ACTIONS = (VIEW, ADD, CHANGE, DELETE)

# How a refusal names who may act, per relation.
_WHO = {
    "party": "the companies taking part in the campaign",
    "host": "the host company",
    "owner": "the company it belongs to",
    "channel": "the company whose channel it goes out on",
    "invitee": "the invited company",
    "self": "the person it is addressed to",
    "partner": "companies that share a campaign with it",
    "vendor": "the vendor",
    "partner company": "the partner company",
    "admin of owner": "the administrators of its company",
    "not private": "the companies taking part in the campaign while it is not marked “only my company”",
    "author": "the person who wrote it",
    "receiver": "the companies the agreed lead-sharing terms name",
}


@dataclass(frozen=True)
class Rule:
    """`op` is "is" (one relation), "and", "or" or "nobody" (the operator only)."""

    op: str
    relation: str = ""
    parts: tuple["Rule", ...] = ()

    def __or__(self, other: "Rule") -> "Rule":
        return Rule("or", parts=(self, other))

    def __and__(self, other: "Rule") -> "Rule":
        return Rule("and", parts=(self, other))

    def q(self, relation_q: Callable[[str], Q], within: dict[str, str] | None = None) -> Q:
        """The rule in SQL. `within` names relations whose rows another relation's rows already include ("owner":
        "partner", when a company's partners' set holds its own rows): an "or" of the two reads only the larger
        one, as one condition, where an OR of both became a subplan per row in PostgreSQL once the set outgrew
        work_mem."""
        within = within or {}
        if self.op == "is":
            return relation_q(self.relation)
        if self.op == "nobody":
            return Q(pk__in=[])
        parts = self.parts
        if self.op == "or":
            named = {part.relation for part in parts if part.op == "is"}
            parts = tuple(part for part in parts if part.op != "is" or within.get(part.relation) not in named)
        first, *rest = (part.q(relation_q, within) for part in parts)
        for other in rest:
            first = (first | other) if self.op == "or" else (first & other)
        return first

    def allows(self, relations: set[str]) -> bool:
        if self.op == "is":
            return self.relation in relations
        if self.op == "nobody":
            return False
        results = [part.allows(relations) for part in self.parts]
        return any(results) if self.op == "or" else all(results)

    @property
    def relations(self) -> set[str]:
        if self.op == "is":
            return {self.relation}
        return set().union(*(part.relations for part in self.parts)) if self.parts else set()

    def describe(self, words: dict[str, str] | None = None, conditions: frozenset[str] = frozenset()) -> str:
        """Who may act, in words: "the host company or the company it belongs to". `words` are a model's own
        wording of a relation ("the company the decision binds" for its owner); `conditions` are relations that are
        a state of the row ("pending"), not a company, and are left out (the refusal says them after)."""
        if self.op == "nobody":
            return "only the operator"
        if self.op == "is":
            return {**_WHO, **(words or {})}.get(self.relation, self.relation)
        # "party and owner": the owner is the one that matters to a reader.
        if self.op == "and":
            named = [p for p in self.parts if p.relation not in {"party", *ROW_STATES, *conditions}]
            return (named or self.parts)[0].describe(words, conditions)
        private = [part for part in self.parts if part.relation == "not private"]
        if private and len(self.parts) == 2:
            # `unless_private`: one sentence, the usual case first ("the companies taking part in the campaign (only
            # its author's company when it is marked “only my company”)"), not two alternatives joined by "or".
            (other,) = (part for part in self.parts if part not in private)
            return f"{_WHO['party']} (only {other.describe(words, conditions)} when it is marked “only my company”)"
        return " or ".join(part.describe(words, conditions) for part in self.parts)


def related(relation: str) -> Rule:
    return Rule("is", relation=relation)


NOBODY = Rule("nobody")
OWNER = related("owner")
SELF = related("self")
# The row's campaign is still open (neither closed nor cancelled): a state of the row, not a company, so a rule's
# words leave it out and its refusal says it after ("…, and only while its campaign is open").
OPEN = related("open")
ROW_STATES = frozenset({"open"})  # said in a refusal only when the row is not in that state


def while_open(rules: dict[str, Rule], *, except_for: tuple[str, ...] = ()) -> dict[str, Rule]:
    """`rules` with every write (each action but viewing and those in `except_for`) allowed only while the row's
    campaign is open: a closed or cancelled campaign is a record of what happened, read-only for every company,
    in the admin and the API alike."""
    return {
        action: rule if action == VIEW or action in except_for or rule == NOBODY else rule & OPEN
        for action, rule in rules.items()
    }


def unless_private(rule: Rule) -> Rule:
    """`rule`, narrowed to the row's own company while the row is marked "only my company" (a company-private note
    on a shared campaign). The model's queryset names the flag in `private_flag`; "not private" reads it."""
    return rule & (related("not private") | OWNER)
