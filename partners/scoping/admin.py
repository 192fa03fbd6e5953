"""The admin side of the scoping mechanism.

Django's admin reaches data through more doors than `get_queryset`: foreign-key
dropdowns and inlines, autocompletes, list-filter choices, history pages (of
django-simple-history), the delete confirmation and the `/admin/r/` shortcut.
Each is closed here, once, for every model admin that uses these bases.
"""

from collections import defaultdict

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.http import Http404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from partners.scoping.querysets import CHANGE, organization_id_of, scoped_queryset


def _exists(queryset: models.QuerySet, pk) -> bool:
    try:
        return queryset.filter(pk=pk).exists()
    except (ValueError, TypeError, ValidationError):
        return False


class ScopedFieldsMixin:
    """Scopes the rows and every relation choice of a model admin or an inline."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def scoped_choices(self, db_field, request) -> models.QuerySet:
        """Choices of a relation field; admins narrow further by overriding this."""
        queryset = scoped_queryset(db_field.related_model, request.user)
        related_admin = self.admin_site._registry.get(db_field.related_model)
        ordering = related_admin.get_ordering(request) if related_admin else ()
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.scoped_choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.scoped_choices(db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _may_change(self, request, obj) -> bool:
        return obj is None or _exists(scoped_queryset(type(obj), request.user, CHANGE), obj.pk)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)


class ScopedTabularInline(ScopedFieldsMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedFieldsMixin, admin.StackedInline):
    extra = 0


class ScopedModelAdmin(ScopedFieldsMixin, SimpleHistoryAdmin):
    """Base of every model admin: scoped rows, choices, filters, history and deletion.

    `owner_field` names a field that is the user's own company: hidden from
    company users and set on the server, so it cannot be forged.
    """

    owner_field: str | None = None
    superuser_only_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in (self.owner_field, *self.superuser_only_fields) if name]
        return readonly

    def save_model(self, request, obj, form, change):
        if self.owner_field and not change and not request.user.is_superuser:
            setattr(obj, f"{self.owner_field}_id", organization_id_of(request.user))
        super().save_model(request, obj, form, change)

    def get_list_filter(self, request):
        # Plain related-field filters would list every row of the related table.
        return [
            (item, RelatedOnlyFieldListFilter) if isinstance(item, str) and self._is_relation_path(item) else item
            for item in super().get_list_filter(request)
        ]

    def _is_relation_path(self, field_path: str) -> bool:
        model = self.model
        field = None
        for name in field_path.split("__"):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                return False
            model = field.related_model
            if model is None:
                return False
        return field is not None and field.is_relation

    def _scoped_object_or_404(self, request, object_id):
        if not _exists(self.get_queryset(request), unquote(object_id)):
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.")

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the history table for rows missing from get_queryset.
        self._scoped_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._scoped_object_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_deleted_objects(self, objs, request):
        if request.user.is_superuser:
            return super().get_deleted_objects(objs, request)
        return _redacted_deleted_objects(objs, request, self.admin_site)


def _redacted_deleted_objects(objs, request, admin_site):
    """Django's delete summary, with rows of other companies named only by their type."""
    objs = list(objs)
    if not objs:
        return [], {}, set(), []
    collector = NestedObjects(using=router.db_for_write(objs[0]._meta.model), origin=objs)
    collector.collect(objs)
    visible = _visible_keys(
        [*(obj for instances in collector.data.values() for obj in instances), *collector.protected], request.user
    )
    perms_needed: set[str] = set()

    def describe(obj):
        opts = obj._meta
        label = capfirst(opts.verbose_name)
        if (type(obj), obj.pk) not in visible:
            return f"{label}: (belongs to another company)"
        model_admin = admin_site._registry.get(type(obj))
        if model_admin is None:
            return f"{label}: {obj}"
        if not model_admin.has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            url = reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=(quote(obj.pk),))
        except NoReverseMatch:
            return f"{label}: {obj}"
        return format_html('{}: <a href="{}">{}</a>', label, url, obj)

    to_delete = collector.nested(describe)
    protected = [describe(obj) for obj in collector.protected]
    model_count = {model._meta.verbose_name_plural: len(found) for model, found in collector.model_objs.items()}
    return to_delete, model_count, perms_needed, protected


def _visible_keys(objects, user) -> set[tuple[type, object]]:
    pks_by_model = defaultdict(set)
    for obj in objects:
        pks_by_model[type(obj)].add(obj.pk)
    return {
        (model, pk)
        for model, pks in pks_by_model.items()
        for pk in scoped_queryset(model, user).filter(pk__in=pks).values_list("pk", flat=True)
    }


class ScopedAdminSite(admin.AdminSite):
    site_header = "Co-marketing campaign tracker"
    site_title = "Co-marketing tracker"
    index_title = "Joint campaigns"

    def get_urls(self):
        scoped_shortcut = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.scoped_shortcut), name="view_on_site"
        )
        return [scoped_shortcut, *super().get_urls()]

    def scoped_shortcut(self, request, content_type_id, object_id):
        """Django's "view on site" redirect, answering the same 404 for hidden and missing objects."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        if model is None or not _exists(scoped_queryset(model, request.user), object_id):
            raise Http404("No such object.")
        return shortcut(request, content_type_id, object_id)
