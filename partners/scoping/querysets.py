from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, ClassVar, Self

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.http import Http404

from partners.scoping.rules import ADD, CHANGE, DELETE, NOBODY, ROW_STATES, VIEW, Rule
from partners.scoping.versions import is_versioned
from utilities.bulk_rows import insert_selected_ignoring_conflicts

_UNSET = object()


def _profile_of(user: Any) -> tuple[int | None, str | None]:
    """(organization id, time zone) of a login user's person, read once per request and cached on the user."""
    cached = getattr(user, "_comarketing_profile", _UNSET)
    if cached is _UNSET:
        person_model = apps.get_model("partners", "Person")
        row = person_model.objects.filter(user=user).values_list("organization_id", "time_zone").first()
        cached = row or (None, None)
        user._comarketing_profile = cached
    return cached


def organization_id_of(user: Any) -> int | None:
    """The organization a login user belongs to, through their person."""
    if user is None or not user.is_authenticated:
        return None
    return _profile_of(user)[0]


def time_zone_of(user: Any) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return _profile_of(user)[1]


# The two columns of a source's rows: the company that sees, and the row (person or company) it sees.
SEEN_BY, SEEN = "seen_by", "seen"
# A source: (company ids or None, seen ids or None) -> a queryset of (SEEN_BY, SEEN) pairs among them.
Source = Callable[[set[int] | None, set[int] | None], models.QuerySet]


class StoredSight:
    """Which rows (people, or companies) each company sees, as its registered sources say, stored in a table of
    (organization, `seen_field`) pairs: read through an index, refreshed by whatever changes a source's rows, and
    rebuilt in full nightly. Worked out per request, a hub's lists hashed every shared team first (400,000 rows
    at 100,000 campaigns)."""

    def __init__(self, model_name: str, seen_field: str) -> None:
        self.model_name, self.seen_field = model_name, seen_field
        self.sources: list[Source] = []

    def register(self, source: Source) -> None:
        self.sources.append(source)

    def q(self, organization_id: int) -> Q:
        """The rows `organization_id` sees, as a condition on their model's primary key."""
        return Q(pk__in=self._stored().filter(organization_id=organization_id).values(f"{self.seen_field}_id"))

    def refresh(self, organization_ids: Iterable[int], seen_ids: Iterable[int]) -> None:
        """Make what these companies are stored to see of these rows what the sources say now. Called, inside its
        transaction, by whatever changed a source's rows about them (a few of each: one campaign's)."""
        organization_ids, seen_ids = set(organization_ids), set(seen_ids)
        if not (organization_ids and seen_ids):
            return
        seen = f"{self.seen_field}_id"
        with transaction.atomic():
            # The stored rows are locked before the sources are read: a refresh for another campaign that reached
            # one of them first has committed by then, and this one reads what it changed (two people removed from
            # the two campaigns that made one acquaintance would otherwise each keep it for the other).
            stored_rows = self._stored().filter(organization_id__in=organization_ids, **{f"{seen}__in": seen_ids})
            stored = set(stored_rows.select_for_update().order_by("pk").values_list("organization_id", seen))
            said = set()
            for source in self.sources:
                said.update(source(organization_ids, seen_ids).values_list(SEEN_BY, SEEN))
            gone = stored - said
            if gone:
                stored_rows.filter(reduce(or_, (Q(organization_id=by, **{seen: one}) for by, one in gone))).delete()
            self._stored().bulk_create(
                [self._stored().model(organization_id=by, **{seen: one}) for by, one in said - stored],
                ignore_conflicts=True,  # a concurrent refresh may have stored it first
            )

    def rebuild(self) -> tuple[int, int]:
        """Every stored row made what the sources say, in two statements whatever the size: for the first fill and
        the nightly heal (a change that reached the sources without its refresh). Returns rows added and removed."""
        parts = [source(None, None).order_by().values(SEEN_BY, SEEN) for source in self.sources]
        said_sql, said_params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
        model = self._stored().model
        table = connection.ops.quote_name(model._meta.db_table)
        seen = connection.ops.quote_name(model._meta.get_field(self.seen_field).column)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Refreshes wait until the rebuild commits (and it for them): otherwise it could store again a row
                # that a company's leaving, committed meanwhile, had just removed.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM ({said_sql}) AS said "
                f"WHERE said.{SEEN_BY} = {table}.organization_id AND said.{SEEN} = {table}.{seen})",
                said_params,
            )
            removed = max(cursor.rowcount, 0)
            added = insert_selected_ignoring_conflicts(
                model,
                (f"SELECT DISTINCT {SEEN_BY}, {SEEN} FROM ({said_sql}) AS said", said_params),
                {"organization": SEEN_BY, self.seen_field: SEEN},
                {},
            )
        return added, removed

    def _stored(self) -> models.QuerySet:
        return apps.get_model("partners", self.model_name).objects.all()


class SharingRegistry:
    """How other apps tell `partners` which companies and people an organization sees: its own, and those it works
    with. `partners` knows nothing of campaigns; the campaigns app registers sources of both, as partners does for
    a company's own, and refreshes them when its rows change."""

    def __init__(self) -> None:
        self.people = StoredSight("Acquaintance", "person")
        self.companies = StoredSight("KnownCompany", "company")

    def rebuild(self) -> tuple[int, int]:
        """Both rebuilt (the nightly heal): rows added and removed."""
        counts = [sight.rebuild() for sight in (self.people, self.companies)]
        return sum(added for added, _ in counts), sum(removed for _, removed in counts)


sharing = SharingRegistry()


@dataclass(frozen=True)
class Actor:
    """Who is acting: a login and the company it belongs to."""

    user: Any
    organization_id: int


def own_company(actor: Actor) -> Any:
    return apps.get_model("partners", "Organization").objects.get(pk=actor.organization_id)


def own_person(actor: Actor) -> Any:
    return apps.get_model("partners", "Person").objects.get(user_id=actor.user.pk)


def own_login(actor: Actor) -> Any:
    return actor.user


def left_empty(actor: Actor) -> None:
    """For fields only the operator sets (a login's link, a tier): a company user's new row leaves them empty."""
    return None


# How the server fills a server-owned field on create; `None`: the client chooses it once, on create.
ServerValue = Callable[[Actor], Any] | None


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every company-owned model: the one place that says who may see and change a row.

    Subclasses declare `rules` (one `Rule` per action: view, add, change, delete and any custom action)
    and say in `relation_q` how each relation of those rules reads in SQL. `server_owned` names the fields
    the server sets (with how) or that are fixed after create; company users never write them afterwards.
    Superusers (the operator) may do everything; users without a company nothing.
    """

    rules: ClassVar[dict[str, Rule]] = {}
    server_owned: ClassVar[dict[str, ServerValue]] = {}
    # Relations a company fills only with rows it may change (its own people on its side of the team).
    own_choices: ClassVar[tuple[str, ...]] = ()
    # Fields whose change needs an action beyond "change" (e.g. a deliverable's review flags need "publish").
    guarded_fields: ClassVar[dict[str, str]] = {}
    # Relations a row's label (`__str__`) reads: loaded with the rows wherever they are offered as choices, or
    # each label of a dropdown or autocomplete costs a query.
    label_related: ClassVar[tuple[str, ...]] = ()
    # How this model's refusals word a relation, where the general wording reads oddly ("the company the
    # decision binds" rather than "the company it belongs to").
    relation_words: ClassVar[dict[str, str]] = {}
    # Relations that are a state of the row rather than a company ("pending"), with their wording in a refusal
    # ("while it is pending").
    row_conditions: ClassVar[dict[str, str]] = {}
    # How a refusal words a custom action, where its name does not read as a verb before "this <model>".
    action_words: ClassVar[dict[str, str]] = {}
    # Relations whose rows another relation's rows include (relation -> the larger one): an "or" of both reads only
    # the larger one in SQL (see `Rule.q`).
    relations_within: ClassVar[dict[str, str]] = {}
    # The boolean field that marks a row "only my company" (rules built with `unless_private` read it).
    private_flag: ClassVar[str] = ""
    # Fields that not everyone who sees the row may read (a registrant's personal data): field -> who reads it.
    # `for_user` marks each row with what its user may read (one query, see `readable`); the API and the admin
    # show a field withheld from them as empty, and never filter, search or order by such a field.
    field_rules: ClassVar[dict[str, Rule]] = {}

    @classmethod
    def actions_for_changes(cls, changes: dict[str, Any]) -> set[str]:
        """Actions beyond "change" that these changes (field name -> new value) need."""
        return {cls.guarded_fields[name] for name in changes if name in cls.guarded_fields}

    @classmethod
    def rule_for(cls, action: str) -> Rule:
        try:
            return cls.rules[action]
        except KeyError:
            raise ImproperlyConfigured(f"{cls.__name__} declares no rule for “{action}”") from None

    def update(self, **kwargs) -> int:
        # A bulk change is a change: a versioned row's version moves on, so a form opened before it is refused.
        if is_versioned(self.model) and "version" not in kwargs:
            kwargs["version"] = F("version") + 1
        return super().update(**kwargs)

    def relation_q(self, relation: str, actor: Actor) -> Q:
        if relation == "not private" and self.private_flag:
            return Q(**{self.private_flag: False})
        raise ImproperlyConfigured(f"{type(self).__name__} does not know the relation “{relation}”")

    def person_refusal(self, actor: Actor, obj: models.Model, action: str) -> str | None:
        """Why this person may not do `action` to `obj` although the rule lets their company (only some of a
        company's people give its word); None when they may. Asked only once the company may."""
        return None

    def for_new_work(self) -> Self:
        """Rows offered as choices for new work; a model narrows it (people: the active ones)."""
        return self

    def visible_to(self, actor: Actor, action: str) -> Q:
        return self._rule_q(self.rule_for(action), actor)

    def _rule_q(self, rule: Rule, actor: Actor) -> Q:
        """A rule as the condition on this model's rows for `actor` (rows and readable fields alike)."""
        return rule.q(lambda relation: self.relation_q(relation, actor), self.relations_within)

    def for_user(self, user: Any, action: str = VIEW) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self._reading(None) if self.field_rules else self.all()
        organization_id = organization_id_of(user)
        if organization_id is None:
            return self.none()
        actor = Actor(user, organization_id)
        rows = self.filter(self.visible_to(actor, action))
        return rows._reading(actor) if self.field_rules else rows

    def _reading(self, actor: Actor | None) -> Self:
        """The rows, each marked with which of `field_rules` the actor may read (the operator: all of them)."""
        marks = {
            _READABLE + name: (
                Value(True) if actor is None else ExpressionWrapper(self._rule_q(rule, actor), BooleanField())
            )
            for name, rule in self.field_rules.items()
        }
        return self.annotate(**marks)

    def get_for_user(self, user: Any, pk: Any, action: str = VIEW) -> models.Model:
        """One object the user may reach, or 404 — the same answer as for a missing id."""
        try:
            return self.for_user(user, action).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError, ValidationError):
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.") from None


_READABLE = "readable_"


def readable(obj: models.Model, name: str) -> bool:
    """Whether the user whose `for_user` rows `obj` came from may read its field `name`. A field no rule guards is
    read by whoever sees the row; a guarded field of a row read any other way is withheld (it fails closed)."""
    queryset_class = rules_of(type(obj))
    if queryset_class is None or name not in queryset_class.field_rules:
        return True
    return bool(getattr(obj, _READABLE + name, False))


def read_value(obj: models.Model, name: str) -> Any:
    """The field's value if its reader may read it, else None."""
    return getattr(obj, name) if readable(obj, name) else None


def guarded_fields_of(model: type[models.Model]) -> frozenset[str]:
    queryset_class = rules_of(model)
    return frozenset(queryset_class.field_rules) if queryset_class else frozenset()


def scoped_queryset(model: type[models.Model], user, action: str = VIEW) -> models.QuerySet:
    """Rows of `model` that `user` may reach. Unscoped models are for superusers only."""
    queryset = model._default_manager.all()
    if isinstance(queryset, ScopedQuerySet):
        return queryset.for_user(user, action)
    return queryset if user.is_superuser else queryset.none()


def rules_of(model: type[models.Model]) -> type[ScopedQuerySet] | None:
    queryset = model._default_manager.all()
    return type(queryset) if isinstance(queryset, ScopedQuerySet) else None


def refusal_to(user: Any, obj: models.Model, action: str) -> str | None:
    """Why `user` may not do `action` to the saved row `obj`, naming who may; None when they may (superusers
    always). The company's rule is one query; a person-level condition of the model is asked only after it."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return None
    try:
        allowed = scoped_queryset(type(obj), user, action).filter(pk=obj.pk).exists()
    except (ValueError, TypeError, ValidationError):
        allowed = False
    if not allowed:
        return refusal(obj, action)
    return type(obj)._default_manager.all().person_refusal(Actor(user, organization_id_of(user)), obj, action)


def may(user: Any, obj: models.Model, action: str) -> bool:
    """Whether `user` may do `action` to the saved row `obj`."""
    return refusal_to(user, obj, action) is None


def may_add(user: Any, model: type[models.Model]) -> bool:
    """Whether `user` may add rows of `model` at all (the row itself is checked once written)."""
    if user.is_superuser:
        return True
    queryset_class = rules_of(model)
    return (
        queryset_class is not None and queryset_class.rule_for(ADD) != NOBODY and organization_id_of(user) is not None
    )


def refusal(obj_or_model: Any, action: str) -> str:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    queryset_class = rules_of(model)
    when = ""
    verb = {VIEW: "see", ADD: "add", CHANGE: "change", DELETE: "delete"}.get(action, action)
    if queryset_class is None:
        who = "only the operator"
    else:
        rule = queryset_class.rule_for(action)
        conditions = queryset_class.row_conditions
        who = rule.describe(queryset_class.relation_words, frozenset(conditions))
        states = [
            conditions[relation]
            for relation in sorted(rule.relations)
            if relation in conditions and not (relation in ROW_STATES and _row_is(obj_or_model, relation))
        ]
        when = f", and only {' and '.join(states)}" if states else ""
        verb = queryset_class.action_words.get(action, verb)
    return f"Only {who.removeprefix('only ')} may {verb} this {model._meta.verbose_name}{when}."


def _row_is(obj_or_model: Any, state: str) -> bool:
    """Whether a saved row is in `state` (its campaign "open"): a refusal names the state only when it is the
    reason, not for a row of an open campaign refused to the wrong company."""
    if isinstance(obj_or_model, type) or obj_or_model.pk is None:
        return False
    queryset = type(obj_or_model)._default_manager.all()
    return queryset.filter(queryset.relation_q(state, None), pk=obj_or_model.pk).exists()


def ensure_may(user: Any, obj: models.Model, action: str) -> None:
    """Refuse (403, naming who may) unless `user` may do `action` to `obj`; also used after a write, inside its
    transaction."""
    refused = refusal_to(user, obj, action)
    if refused is not None:
        raise PermissionDenied(refused)


def choices_for(model: type[models.Model], field_name: str, related_model: type[models.Model], user: Any):
    """What a user may pick for a relation: rows they may see, or, for a declared own choice, may change; of them,
    those offered for new work (a deactivated person is not). A row's current value stays valid: see
    `keeping_current`."""
    queryset_class = rules_of(model)
    own = queryset_class is not None and field_name in queryset_class.own_choices
    queryset = scoped_queryset(related_model, user, CHANGE if own else VIEW)
    if isinstance(queryset, ScopedQuerySet):
        queryset = queryset.for_new_work()
    return queryset.select_related(*label_paths(related_model))


def keeping_current(choices: models.QuerySet, current_pk: Any) -> models.QuerySet:
    """`choices` plus a row's current value, which may no longer be offered for new work (a deactivated person
    stays the accountable of a deliverable until someone hands it over): saving the row unchanged still works."""
    if current_pk is None:
        return choices
    # One `pk IN (… UNION ALL …)`, not an OR: PostgreSQL could not read "the campaign's members, or this one" through
    # an index, and scanned every member a hub sees (120 ms per select of a deliverable's page at 100,000 campaigns).
    offered = (
        choices.order_by()
        .values("pk")
        .union(choices.model._default_manager.filter(pk=current_pk).order_by().values("pk"), all=True)
    )
    kept = choices.model._default_manager.filter(pk__in=offered).select_related(*label_paths(choices.model))
    return kept.order_by(*choices.query.order_by) if choices.query.order_by else kept


def label_paths(model: type[models.Model]) -> tuple[str, ...]:
    """The relations a row's label shows (its declared `label_related`): selected with the row, not one by one."""
    queryset_class = rules_of(model)
    return queryset_class.label_related if queryset_class else ()


def ensure_may_change_fields(user: Any, obj: models.Model, changes: dict[str, Any]) -> None:
    """Refuse (403) changes that need more than "change" (publishing…), judged on the row as stored."""
    queryset_class = rules_of(type(obj))
    if obj.pk is None or queryset_class is None:
        return
    for action in sorted(queryset_class.actions_for_changes(changes)):
        if not may(user, obj, action):
            raise PermissionDenied(refusal(obj, action))


def server_values(model: type[models.Model], user: Any) -> dict[str, Any]:
    """The server-owned fields of a new row, filled for a company user (the operator fills them in)."""
    queryset_class = rules_of(model)
    organization_id = organization_id_of(user)
    if queryset_class is None or user.is_superuser or organization_id is None:
        return {}
    actor = Actor(user, organization_id)
    return {name: fill(actor) for name, fill in queryset_class.server_owned.items() if fill is not None}


def fixed_fields(model: type[models.Model]) -> tuple[str, ...]:
    """Fields a company user never changes on an existing row."""
    queryset_class = rules_of(model)
    return tuple(queryset_class.server_owned) if queryset_class else ()
