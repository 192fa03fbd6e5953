from collections.abc import Callable
from typing import Any, Self

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

VIEW = "view"
CHANGE = "change"

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


class SharingRegistry:
    """How other apps tell `partners` which companies and people an organization works with.

    `partners` knows nothing of campaigns; the campaigns app registers sources
    returning id querysets (used as subqueries, so visibility stays one SQL query).
    """

    def __init__(self) -> None:
        self.organization_sources: list[Callable[[int], models.QuerySet]] = []
        self.person_sources: list[Callable[[int], models.QuerySet]] = []

    def register_organizations(self, source: Callable[[int], models.QuerySet]) -> None:
        self.organization_sources.append(source)

    def register_people(self, source: Callable[[int], models.QuerySet]) -> None:
        self.person_sources.append(source)

    def organizations_q(self, organization_id: int) -> Q:
        return _any_of(Q(pk=organization_id), "pk__in", self.organization_sources, organization_id)

    def people_q(self, organization_id: int) -> Q:
        return _any_of(Q(organization_id=organization_id), "pk__in", self.person_sources, organization_id)


def _any_of(base: Q, lookup: str, sources: list[Callable[[int], models.QuerySet]], organization_id: int) -> Q:
    q = base
    for source in sources:
        q |= Q(**{lookup: source(organization_id)})
    return q


sharing = SharingRegistry()


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every company-owned model.

    Subclasses implement `visible_to(organization_id, action)`; superusers see
    everything, users without an organization nothing.
    """

    def visible_to(self, organization_id: int, action: str) -> Q:
        raise NotImplementedError

    def for_user(self, user: Any, action: str = VIEW) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        organization_id = organization_id_of(user)
        if organization_id is None:
            return self.none()
        return self.filter(self.visible_to(organization_id, action))

    def get_for_user(self, user: Any, pk: Any, action: str = VIEW) -> models.Model:
        """One object the user may reach, or 404 — the same answer as for a missing id."""
        try:
            return self.for_user(user, action).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError, ValidationError):
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.") from None


def scoped_queryset(model: type[models.Model], user, action: str = VIEW) -> models.QuerySet:
    """Rows of `model` that `user` may reach. Unscoped models are for superusers only."""
    queryset = model._default_manager.all()
    if isinstance(queryset, ScopedQuerySet):
        return queryset.for_user(user, action)
    return queryset if user.is_superuser else queryset.none()
