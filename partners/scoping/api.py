"""The REST API side of the scoping mechanism (NetBox's habit: restrict in the queryset, every time).

Lists and detail lookups go through `for_user`; every writable relation and
every id in a query parameter is checked against the same scoped rows, so
another company's id gets exactly the answer a nonexistent id gets.
"""

import json
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from partners.scoping import idempotency
from partners.scoping.querysets import (
    choices_for,
    ensure_may,
    ensure_may_change_fields,
    guarded_fields_of,
    keeping_current,
    readable,
    rules_of,
    server_values,
)
from partners.scoping.rules import ADD, CHANGE, DELETE, VIEW
from partners.scoping.versions import VersionConflict, etag_of, is_versioned, parse_if_match
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
        updating = self.instance is not None and not isinstance(self.instance, (list, tuple))
        if queryset_class is not None and not user.is_superuser:
            for name, fill in queryset_class.server_owned.items():
                # Set by the server (company, "reported by") or chosen once on create (a row's campaign).
                if name in fields and (fill is not None or updating):
                    fields[name].read_only = True
                    fields[name].required = False
        if is_versioned(self.Meta.model):
            fields["version"] = serializers.IntegerField(
                required=False,
                min_value=1,
                help_text="The row's version (also its ETag). Send the one you read to change it: if the row moved on "
                "since, the change is refused with 409 and the current row.",
            )
        for name, field in fields.items():
            relation = getattr(field, "child_relation", field)
            if isinstance(relation, serializers.RelatedField) and not relation.read_only:
                relation.queryset = self.scoped_choices(name, relation.queryset.model, user)
                if updating and relation is field and field.source in self._relation_attnames():
                    # Its current value stays valid (a deactivated person is not offered, but stays until replaced).
                    current = getattr(self.instance, self._relation_attnames()[field.source])
                    relation.queryset = keeping_current(relation.queryset, current)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in guarded_fields_of(self.Meta.model) & set(data):
            if not readable(instance, name):
                data[name] = None  # withheld from this reader: absent in value, whatever it holds
        return data

    def _relation_attnames(self) -> dict[str, str]:
        return {field.name: field.attname for field in self.Meta.model._meta.fields if field.is_relation}

    def create(self, validated_data):
        validated_data.pop("version", None)
        many = self._many_to_many(validated_data)
        return self._set_many(self.save_instance(self.Meta.model(**validated_data)), many)

    def update(self, instance, validated_data):
        seen = validated_data.pop("version", None)
        if seen is not None and getattr(instance, "_expected_version", None) is None:
            instance.expect_version(seen)
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
    ordering_fields: list[str] | None = None  # DRF's OrderingFilter: None offers every field of the serializer

    def base_queryset(self):
        return self.queryset.all()

    def initial(self, request, *args, **kwargs):
        if guarded_fields_of(self.queryset.model) and (
            self.ordering_fields is None or guarded_fields_of(self.queryset.model) & set(self.ordering_fields)
        ):
            # Ordering by a field some readers may not read would tell them its values.
            raise ImproperlyConfigured(f"{type(self).__name__}.ordering_fields must leave out the guarded fields")
        # A method the route does not offer is a 405 for everyone, before permissions (which would say 403).
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and idempotency.KEY_HEADER in request.headers:
            # Every POST (creates and actions) answers a retried key once; dispatch calls the handler set here.
            self.post = partial(self._post_once, self.post)

    def _post_once(self, handler, request, *args, **kwargs):
        key = request.headers[idempotency.KEY_HEADER]
        if not 0 < len(key) <= 255:
            return Response({"detail": f"{idempotency.KEY_HEADER} must be 1 to 255 characters."}, status=400)
        print_ = idempotency.fingerprint(request.method, request.path, request.data)

        def replay(record):
            response = Response(json.loads(record.answer or "null"), status=record.status_code)
            response[idempotency.REPLAYED_HEADER] = "true"
            return response

        def store(response):
            # Server errors are not remembered (a retry may succeed); every other answer is, refusals included.
            return None if response.status_code >= 500 else (response.status_code, response.data, "")

        def respond():
            # A refusal (400, 403…) is an answer like any other, remembered for the key; only a failure of the
            # server's own (an exception the API does not handle) is forgotten, so that a retry is tried again.
            try:
                return handler(request, *args, **kwargs)
            except Exception as exc:  # handle_exception re-raises what it does not answer
                return self.handle_exception(exc)

        return idempotency.answer_once(
            request.user,
            key,
            print_,
            respond,
            replay=replay,
            store=store,
            refuse=lambda code, text: Response({"detail": text}, status=code),
        )

    def get_queryset(self):
        return self.base_queryset().for_user(self.request.user, VIEW)

    def required_action(self) -> str:
        try:
            return STANDARD_ACTION_RULES.get(self.action) or self.action_rules[self.action]
        except KeyError:
            raise ImproperlyConfigured(f"{type(self).__name__}.{self.action} declares no rule") from None

    def get_object(self):
        # An update checks the version of the row it read, then updates that same row (`update`).
        if getattr(self, "_row_being_updated", None) is not None:
            return self._row_being_updated
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

    def retrieve(self, request, *args, **kwargs):
        return self._with_etag(super().retrieve(request, *args, **kwargs))

    def create(self, request, *args, **kwargs):
        return self._with_etag(super().create(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        """A change based on an older version is refused: 412 for a stale `If-Match`, 409 for a stale body
        `version`, each with the current row; a PUT (which sends every field) must say which version it read."""
        if_match = request.headers.get("If-Match")
        instance = self.get_object()
        if is_versioned(type(instance)):
            if if_match is not None:
                seen = parse_if_match(if_match)
                if seen != instance.version:
                    return self._conflict(instance, status.HTTP_412_PRECONDITION_FAILED)
                instance.expect_version(seen)
            elif not kwargs.get("partial") and "version" not in request.data:
                return Response(
                    {"detail": "Say which version you read: send `If-Match` with the row's ETag, or `version`."},
                    status=status.HTTP_428_PRECONDITION_REQUIRED,
                )
        self._row_being_updated = instance
        try:
            return self._with_etag(super().update(request, *args, **kwargs))
        except VersionConflict as conflict:
            stale = status.HTTP_412_PRECONDITION_FAILED if if_match is not None else status.HTTP_409_CONFLICT
            return self._conflict(conflict.current or instance, stale, str(conflict))

    def _conflict(self, row, answer: int, detail: str = "") -> Response:
        """The refusal of a stale change: what happened, and the row as it is now (read as a GET would)."""
        current = self.get_queryset().filter(pk=row.pk).first()
        if current is None:
            return Response({"detail": detail or str(VersionConflict(row, row.version))}, status=answer)
        detail = detail or str(VersionConflict(current, current.version))
        response = Response({"detail": detail, "current": self.get_serializer(current).data}, status=answer)
        response["ETag"] = etag_of(current.version)
        return response

    @staticmethod
    def _with_etag(response: Response) -> Response:
        if response.status_code < 300 and isinstance(response.data, dict) and "version" in response.data:
            response["ETag"] = etag_of(response.data["version"])
        return response

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
