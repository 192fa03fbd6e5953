"""The one scoping mechanism: what each user may see and change.

Every company-owned model's queryset derives from `ScopedQuerySet` and declares,
in `rules`, which company may do what to a row (`scoping.rules`). Admin
(`scoping.admin`) and API (`scoping.api`) apply it on every path; nothing else
filters by company or decides who may change what.
"""

from partners.scoping.querysets import (
    Actor,
    ScopedQuerySet,
    choices_for,
    ensure_may,
    ensure_may_change_fields,
    fixed_fields,
    left_empty,
    may,
    may_add,
    organization_id_of,
    own_company,
    own_login,
    own_person,
    refusal,
    refusal_to,
    rules_of,
    scoped_queryset,
    server_values,
    sharing,
    time_zone_of,
)
from partners.scoping.rules import ADD, CHANGE, DELETE, NOBODY, OWNER, SELF, VIEW, Rule, related, unless_private

__all__ = [
    "ADD",
    "CHANGE",
    "DELETE",
    "NOBODY",
    "OWNER",
    "SELF",
    "VIEW",
    "Actor",
    "Rule",
    "ScopedQuerySet",
    "choices_for",
    "ensure_may",
    "ensure_may_change_fields",
    "fixed_fields",
    "left_empty",
    "may",
    "may_add",
    "organization_id_of",
    "own_company",
    "own_login",
    "own_person",
    "refusal",
    "refusal_to",
    "related",
    "rules_of",
    "scoped_queryset",
    "server_values",
    "sharing",
    "time_zone_of",
    "unless_private",
]
