"""Query filters of the API, scoped like everything else (kept apart from api.py: DRF reads the filter
backend setting while its own generic views are being imported)."""

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django_filters.rest_framework import DjangoFilterBackend

from partners.scoping.querysets import scoped_queryset


class ScopedFilterSet(django_filters.FilterSet):
    """An id in a query parameter is valid only if the user may see that row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for query_filter in self.filters.values():
            if isinstance(query_filter, django_filters.filters.QuerySetRequestMixin) and user is not None:
                query_filter.queryset = scoped_queryset(query_filter.queryset.model, user)


class ScopedFilterBackend(DjangoFilterBackend):
    """The API's filter backend: a viewset's `filterset_fields` become a ScopedFilterSet, and a declared
    `filterset_class` must be one, so no query parameter can tell another company's row from a missing one."""

    filterset_base = ScopedFilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not issubclass(filterset_class, ScopedFilterSet):
            raise ImproperlyConfigured(f"{type(view).__name__}.filterset_class must derive from ScopedFilterSet")
        return filterset_class
