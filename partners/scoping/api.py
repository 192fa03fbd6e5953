"""The REST API side of the scoping mechanism (NetBox's habit: restrict in the queryset, every time).

Lists and detail lookups go through `for_user`; every writable relation and
every id in a query parameter is checked against the same scoped rows, so
another company's id gets exactly the answer a nonexistent id gets.
"""

from typing import Any

import django_filters
from django.db import transaction
from rest_framework import serializers, viewsets
from rest_framework.permissions import SAFE_METHODS

from comarketing.validation import save_validated
from partners.scoping.querysets import CHANGE, VIEW, organization_id_of, scoped_queryset


class ScopedModelSerializer(serializers.ModelSerializer):
    """Relations accept only rows the requesting user may see; saves run every model rule."""

    def scoped_choices(self, field_name: str, model: type, user: Any):
        """Choices for a writable relation; serializers narrow further by overriding this."""
        return scoped_queryset(model, user)

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        for name, field in fields.items():
            relation = getattr(field, "child_relation", field)
            if isinstance(relation, serializers.RelatedField) and not relation.read_only:
                relation.queryset = self.scoped_choices(name, relation.queryset.model, user)
        return fields

    def create(self, validated_data):
        return self.save_instance(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.save_instance(instance)

    def save_instance(self, instance):
        """Writes go through model validation (the rules admin uses too); services override this."""
        instance._history_user = self.context["request"].user
        with transaction.atomic():
            return save_validated(instance)


class ScopedFilterSet(django_filters.FilterSet):
    """An id in a query parameter is valid only if the user may see that row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for query_filter in self.filters.values():
            if isinstance(query_filter, django_filters.filters.QuerySetRequestMixin) and user is not None:
                query_filter.queryset = scoped_queryset(query_filter.queryset.model, user)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """`base_queryset()` says what to fetch; this class decides, for every action, which rows."""

    owner_field: str | None = None

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return self.base_queryset().for_user(self.request.user, action)

    def perform_create(self, serializer):
        server_owned = {}
        if self.owner_field and not self.request.user.is_superuser:
            server_owned[f"{self.owner_field}_id"] = organization_id_of(self.request.user)
        serializer.save(**server_owned)
