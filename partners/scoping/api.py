"""The REST API side of the scoping mechanism (NetBox's habit: restrict in the queryset, every time).

Lists and detail lookups go through `for_user`; every writable relation and
every id in a query parameter is checked against the same scoped rows, so
another company's id gets exactly the answer a nonexistent id gets.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from rest_framework import serializers, viewsets
from rest_framework.exceptions import MethodNotAllowed

from partners.scoping.querysets import (
    choices_for,
    ensure_may,
    ensure_may_change_fields,
    rules_of,
    server_values,
)
from partners.scoping.rules import ADD, CHANGE, DELETE, VIEW
from utilities.validation import save_validated

# What each of a viewset's standard actions needs; extra actions declare theirs in `action_rules`.
STANDARD_ACTION_RULES = {
    "list": VIEW,
    "retrieve": VIEW,
    "metadata": VIEW,
    "create": ADD,
    "update": CHANGE,
    "partial_update": CHANGE,
    "destroy": DELETE,
}


class ScopedModelSerializer(serializers.ModelSerializer):
    """Relations accept only rows the requesting user may see; saves run every model rule."""

    def build_standard_field(self, field_name, model_field):
        # Free text has no length in the database; through the API it is bounded like every other input.
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and issubclass(field_class, serializers.CharField):
            kwargs.setdefault("max_length", settings.TEXT_MAX_LENGTH)
        return field_class, kwargs

    def scoped_choices(self, field_name: str, model: type, user: Any):
        """Choices for a writable relation; serializers narrow further by overriding this."""
        return choices_for(self.Meta.model, field_name, model, user)

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        queryset_class = rules_of(self.Meta.model)
        if queryset_class is not None and not user.is_superuser:
            updating = self.instance is not None and not isinstance(self.instance, (list, tuple))
            for name, fill in queryset_class.server_owned.items():
                # Set by the server (company, "reported by") or chosen once on create (a row's campaign).
                if name in fields and (fill is not None or updating):
                    fields[name].read_only = True
                    fields[name].required = False
        for name, field in fields.items():
            relation = getattr(field, "child_relation", field)
            if isinstance(relation, serializers.RelatedField) and not relation.read_only:
                relation.queryset = self.scoped_choices(name, relation.queryset.model, user)
        return fields

    def create(self, validated_data):
        many = self._many_to_many(validated_data)
        return self._set_many(self.save_instance(self.Meta.model(**validated_data)), many)

    def update(self, instance, validated_data):
        many = self._many_to_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._set_many(self.save_instance(instance), many)

    def _many_to_many(self, validated_data) -> dict:
        """Many-to-many values leave `validated_data`: they are set once the row is saved."""
        names = {field.name for field in self.Meta.model._meta.many_to_many}
        return {name: validated_data.pop(name) for name in list(validated_data) if name in names}

    def _set_many(self, instance, many: dict):
        for name, values in many.items():
            getattr(instance, name).set(values)
        return instance

    def save_instance(self, instance):
        """Writes go through model validation (the rules admin uses too); services override this."""
        instance._history_user = self.context["request"].user
        with transaction.atomic():
            return save_validated(instance)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """`base_queryset()` says what to fetch; this class decides, for every action, which rows and who may.

    Rows come from what the user may see (another company's row is a 404, like a missing one); an action
    on a visible row the user's company may not do is a 403 naming who may. Each extra action declares in
    `action_rules` which rule of the model it needs. Every write is checked again once written, inside its
    transaction: a row a company moved out of its own authority is refused and nothing is kept.
    """

    action_rules: dict[str, str] = {}

    def base_queryset(self):
        return self.queryset.all()

    def initial(self, request, *args, **kwargs):
        # A method the route does not offer is a 405 for everyone, before permissions (which would say 403).
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        return self.base_queryset().for_user(self.request.user, VIEW)

    def required_action(self) -> str:
        try:
            return STANDARD_ACTION_RULES.get(self.action) or self.action_rules[self.action]
        except KeyError:
            raise ImproperlyConfigured(f"{type(self).__name__}.{self.action} declares no rule") from None

    def get_object(self):
        obj = super().get_object()
        action = self.required_action()
        if action != VIEW:
            ensure_may(self.request.user, obj, action)
        return obj

    def perform_create(self, serializer):
        user = self.request.user
        with transaction.atomic():
            serializer.save(**server_values(serializer.Meta.model, user))
            ensure_may(user, serializer.instance, ADD)

    def perform_update(self, serializer):
        user = self.request.user
        instance = serializer.instance
        changes = {
            name: value for name, value in serializer.validated_data.items() if getattr(instance, name, None) != value
        }
        ensure_may_change_fields(user, instance, changes)
        with transaction.atomic():
            serializer.save()
            ensure_may(user, serializer.instance, CHANGE)
