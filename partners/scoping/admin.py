"""The admin side of the scoping mechanism.

Django's admin reaches data through more doors than `get_queryset`: foreign-key
dropdowns and inlines, autocompletes, list-filter choices, history pages (of
django-simple-history), the delete confirmation and the `/admin/r/` shortcut.
Each is closed here, once, for every model admin that uses these bases.
"""

import uuid
from collections import defaultdict
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.admin.widgets import AutocompleteMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, router
from django.forms.utils import pretty_name
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from partners.scoping import idempotency
from partners.scoping.querysets import (
    choices_for,
    ensure_may,
    ensure_may_change_fields,
    fixed_fields,
    keeping_current,
    label_paths,
    may,
    may_add,
    rules_of,
    scoped_queryset,
    server_values,
)
from partners.scoping.rules import ADD, CHANGE, DELETE
from partners.scoping.versions import VersionConflict, conflicts_of, describe_last_change, is_versioned
from utilities.paginator import PAGE_ROWS, CappedCountPaginator


def _exists(queryset: models.QuerySet, pk) -> bool:
    try:
        return queryset.filter(pk=pk).exists()
    except (ValueError, TypeError, ValidationError):
        return False


def _back_to_next(request) -> HttpResponseRedirect | None:
    """A save from a page opened from another one ("My work", a campaign's home: `?next=`) returns there, when
    `next` is a path of this site (never a redirect elsewhere)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return None


def _server_set(model: type[models.Model]) -> set[str]:
    queryset_class = rules_of(model)
    return {name for name, fill in queryset_class.server_owned.items() if fill} if queryset_class else set()


def authority_form(form_class: type[forms.ModelForm], request) -> type[forms.ModelForm]:
    """The admin form of a scoped model: fills a new row's server-owned fields (company, "reported by"…)
    before validation, so the model's rules see them, and refuses, as a form error, a change that needs
    more than "change" (publishing) when the user's company may not do it."""
    user = request.user
    model = form_class._meta.model
    server_set = _server_set(model)

    class KeepingCurrentForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk is None:
                return
            relations = {field.name: field.attname for field in model._meta.fields if field.is_relation}
            for name, field in self.fields.items():
                if name in relations and type(field) is forms.ModelChoiceField and field.queryset is not None:
                    field.queryset = keeping_current(field.queryset, getattr(self.instance, relations[name]))

    if user.is_superuser:
        return KeepingCurrentForm

    class AuthorityForm(KeepingCurrentForm):
        def _get_validation_exclusions(self):
            return super()._get_validation_exclusions() - server_set

        def _post_clean(self):
            if self.instance.pk is None:
                for name, value in server_values(model, user).items():
                    setattr(self.instance, name, value)
            else:
                try:
                    changes = {name: self.cleaned_data.get(name) for name in self.changed_data}
                    ensure_may_change_fields(user, self.instance, changes)
                except PermissionDenied as refused:
                    self.add_error(None, str(refused))
            super()._post_clean()

    return AuthorityForm


def versioned_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """The form of a versioned row carries the version it was opened at. Saved after someone else changed one of
    its fields, it saves nothing and shows, field by field, their value and yours, and who changed it when;
    saving again keeps yours (the form now carries the current version)."""
    model = form_class._meta.model
    if not is_versioned(model):
        return form_class

    class VersionedForm(form_class):
        version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk is not None:
                self.initial["version"] = self.instance.version

        def _post_clean(self):
            super()._post_clean()
            seen = self.cleaned_data.get("version")
            if self.instance.pk is None or seen is None or self.has_error("version"):
                return
            if seen != self.instance.version:
                self._refuse_if_changed_by_others(seen)
            # The write itself is refused if the row moves on between this check and the save.
            self.instance.expect_version(self.instance.version)

        def _refuse_if_changed_by_others(self, seen: int) -> None:
            names = {field.name for field in model._meta.concrete_fields} - {"version"}
            yours = {name: self.cleaned_data.get(name) for name in self.changed_data if name in names}
            conflicts = conflicts_of(self.instance, seen, yours)
            if not conflicts:
                return  # they changed only what this form does not show: nothing of theirs is overwritten
            lines = [
                f"Someone else saved this {model._meta.verbose_name} after you opened it "
                f"({describe_last_change(self.instance)}); nothing was saved."
            ]
            for conflict in conflicts:
                whose = "you both changed it" if conflict.also_changed_by_you else "changed by them"
                lines.append(f"{conflict.label}: theirs “{conflict.theirs}”, yours “{conflict.yours}” ({whose}).")
            lines.append("Save again to keep your values, or reload the page to take theirs.")
            self.add_error(None, forms.ValidationError(lines))
            # Saving again is the user's choice to overwrite: the form now says it saw the current version.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = self.instance.version

    VersionedForm.__name__ = form_class.__name__
    return VersionedForm


class RowAuthorityFormSet(forms.BaseInlineFormSet):
    """An inline's rows, each editable or deletable only if the user may change or delete that row.

    Disabled fields keep their stored values whatever is posted, so a row of another company stays as it is.
    Relation choices are read once per field, not once per row: a page's queries do not grow with its rows.
    """

    user = None

    @cached_property
    def _allowed(self) -> dict[str, set]:
        pks = [obj.pk for obj in self.get_queryset()]
        return {
            action: set(scoped_queryset(self.model, self.user, action).filter(pk__in=pks).values_list("pk", flat=True))
            for action in (CHANGE, DELETE)
        }

    @cached_property
    def _shared_choices(self) -> dict[str, list]:
        return {}

    def _share_choices(self, form) -> None:
        """Every row offers the same choices for a dropdown: read with the first row, given to the others."""
        for name, field in form.fields.items():
            widget = _inner(field.widget)
            # Not the row's hidden id (its "choices" are every row of the table) nor an autocomplete (no list).
            if (
                isinstance(field, forms.ModelChoiceField)
                and isinstance(widget, forms.Select)
                and not isinstance(widget, AutocompleteMixin)
            ):
                if name not in self._shared_choices:
                    self._shared_choices[name] = list(field.choices)
                field.widget.choices = self._shared_choices[name]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A row's column header is no label: each control is named for assistive technology (WCAG 1.3.1, 4.1.2).
        for name, field in form.fields.items():
            name_control(field, str(field.label or pretty_name(name)))

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        self._share_choices(form)
        pk = form.instance.pk
        if pk is None or self.user.is_superuser:
            return form
        # The row's own id and link to its parent stay as they are (they identify the row, nothing to lock).
        editable = set(form.fields) - {"DELETE", self._pk_field.name, self.fk.name}
        locked = editable if pk not in self._allowed[CHANGE] else editable & set(fixed_fields(self.model))
        if pk not in self._allowed[DELETE]:
            locked.add("DELETE")
        for name in locked & set(form.fields):
            field = form.fields[name]
            field.disabled = True
            if isinstance(field, forms.ModelChoiceField):
                # A locked relation keeps the row's own value, which need not be among the user's choices: it
                # is the only choice offered (and the only one valid).
                related = getattr(form.instance, name)  # loaded with the row (ScopedInlineMixin.get_queryset)
                field.queryset = field.queryset.model._default_manager.filter(pk=getattr(related, "pk", None))
                label = field.label_from_instance(related) if related is not None else field.empty_label
                field.widget = forms.Select(
                    choices=[(getattr(related, "pk", ""), label or "")], attrs=_inner(field.widget).attrs
                )
        return form


def name_control(field: forms.Field, label: str) -> None:
    """Names a control by its field's label where the page draws no `<label for>` to it: an inline row's controls,
    and each input of a date-and-time field (its label points at neither)."""
    widget = _inner(field.widget)
    if isinstance(widget, forms.MultiWidget):
        parts = ("date", "time") if isinstance(widget, forms.SplitDateTimeWidget) else range(1, len(widget.widgets) + 1)
        for part, subwidget in zip(parts, widget.widgets, strict=True):
            subwidget.attrs.setdefault("aria-label", f"{label}, {part}")
    else:
        widget.attrs.setdefault("aria-label", label)


def _inner(widget: forms.Widget) -> forms.Widget:
    """The widget inside the admin's wrapper (the add and change links of a relation)."""
    return getattr(widget, "widget", widget)


class ScopedFieldsMixin:
    """Scopes the rows and every relation choice of a model admin or an inline, and applies authority."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def scoped_choices(self, db_field, request) -> models.QuerySet:
        """Choices of a relation field; admins narrow further by overriding this."""
        queryset = choices_for(self.model, db_field.name, db_field.related_model, request.user)
        related_admin = self.admin_site._registry.get(db_field.related_model)
        ordering = related_admin.get_ordering(request) if related_admin else ()
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.scoped_choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(_inner(formfield.widget), forms.MultiWidget):
            name_control(formfield, str(formfield.label))
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.scoped_choices(db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and may_add(request.user, self.model)

    def get_exclude(self, request, obj=None):
        # The version is the form's own hidden field (`versioned_form`), never the model form's.
        exclude = super().get_exclude(request, obj)
        return [*(exclude or ()), "version"] if is_versioned(self.model) else exclude

    def get_fieldsets(self, request, obj=None):
        """The version travels with a versioned row's form (a hidden field, in the first fieldset)."""
        fieldsets = super().get_fieldsets(request, obj)
        if not is_versioned(self.model) or any("version" in options.get("fields", ()) for _, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options.get("fields", ()), "version"]}), *rest]


class ScopedInlineMixin(ScopedFieldsMixin):
    """Inline rows are judged one by one (`RowAuthorityFormSet`), not by their parent."""

    def get_queryset(self, request):
        # A row's relations show their labels (read-only or locked fields): loaded with the rows, not one by one.
        return super().get_queryset(request).select_related(*self._labelled_relations())

    def _labelled_relations(self) -> list[str]:
        paths = []
        for name in self.fields or ():
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # a read-only method, not a field
            if field.many_to_one:
                paths += [name, *(f"{name}__{path}" for path in label_paths(field.related_model))]
        return paths

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = versioned_form(authority_form(formset.form, request))
        return type(formset.__name__, (RowAuthorityFormSet, formset), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + sorted(_server_set(self.model) - set(readonly))


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    extra = 0


class ScopedModelAdmin(ScopedFieldsMixin, SimpleHistoryAdmin):
    """Base of every model admin: scoped rows, choices, filters, history and deletion, and authority.

    Who may change or delete a row, and which fields the server owns, come from the model's scoped
    queryset (`rules`, `server_owned`): a row the user may not change opens read-only, server-owned fields
    are filled on create and read-only afterwards, and every save is checked against the rules.
    """

    # Low-level rows (a campaign's parties, RACI rows…) are reached from their campaign, not the index.
    in_index = True
    # A change list counts what the user can see up to a cap, once (not again unfiltered): its cost does not
    # grow with the number of rows a company can see.
    paginator = CappedCountPaginator
    # Pages of 50 rows, as the API's: drawing a row of an admin list costs about a millisecond on a 2-core machine,
    # so Django's 100 doubled the time of every list, and 50 rows still fill a wide screen twice over.
    list_per_page = PAGE_ROWS
    show_full_result_count = False

    # The rule a row's change form applies: "change", or the custom action the form performs (a sign-off
    # request's form is its decision).
    change_action = CHANGE
    # Pages that act on one row, by the last part of their address ("<id>/withdraw/"), with the rule action each
    # applies (through `row_for_action`); the permission matrix walks them as every kind of actor.
    row_actions: dict[str, str] = {}

    def row_for_action(self, request, object_id, action: str) -> models.Model:
        """The row an action page acts on: "not found" when the user may not see it (the answer a missing row
        gets), refused (403, naming who may) when they may see it but not do `action` to it."""
        obj = self.model._default_manager.get_for_user(request.user, unquote(object_id))
        ensure_may(request.user, obj, action)
        return obj

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may(request.user, obj, self.change_action))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may(request.user, obj, DELETE))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        owned = _server_set(self.model)
        if obj is not None:
            owned |= set(fixed_fields(self.model))
            queryset_class = rules_of(self.model)
            guarded = queryset_class.guarded_fields if queryset_class else {}
            denied = {action for action in set(guarded.values()) if not may(request.user, obj, action)}
            owned |= {name for name, action in guarded.items() if action in denied}
        return readonly + sorted(owned - set(readonly))

    def get_form(self, request, obj=None, change=False, **kwargs):
        return versioned_form(authority_form(super().get_form(request, obj, change, **kwargs), request))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            extra_context = {"submission_token": uuid.uuid4().hex, **(extra_context or {})}
            token = request.POST.get("_submission", "") if request.method == "POST" else ""
            if 0 < len(token) <= 64:
                return self._add_once(
                    request,
                    token,
                    lambda: super(ScopedModelAdmin, self).changeform_view(request, object_id, form_url, extra_context),
                )
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict:
            # Saved by someone else between this form's check and its write (all of it rolled back): the second
            # pass finds the new version and shows the conflict like any other.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _add_once(self, request, token: str, add):
        """An add form submitted twice (a double click, a second tab) makes one row: the second submission is
        led where the first one's save led."""

        def replay(record):
            messages.info(request, f"This form was already saved: the {self.model._meta.verbose_name} exists once.")
            return redirect(record.location)

        def store(response):
            # Only a save that led somewhere is remembered; a form shown again with errors may be corrected.
            return (response.status_code, None, response["Location"]) if response.status_code == 302 else None

        def refuse(status, text):
            messages.warning(request, "This form is already being saved: see the list in a moment.")
            return redirect(request.path)

        print_ = idempotency.fingerprint("admin add", request.path, None)
        key = f"admin add form {token}"
        return idempotency.answer_once(request.user, key, print_, add, replay=replay, store=store, refuse=refuse)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ensure_may(request.user, obj, CHANGE if change else ADD)

    def response_post_save_add(self, request, obj):
        return _back_to_next(request) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        return _back_to_next(request) or super().response_post_save_change(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for instance in formset.new_objects:
            ensure_may(request.user, instance, ADD)
        for instance, _ in formset.changed_objects:
            ensure_may(request.user, instance, CHANGE)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = _autocomplete_source(request)
        if source is not None and not request.user.is_superuser:
            queryset &= choices_for(*source, self.model, request.user)
        return queryset, may_have_duplicates

    def get_list_filter(self, request):
        # Plain related-field filters would list every row of the related table.
        return [
            (item, FewRelatedOnlyFieldListFilter) if isinstance(item, str) and self._is_relation_path(item) else item
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


FILTER_CHOICES_SHOWN = 20
FILTER_ROWS_READ = 1_000  # a filter's choices come from at most this many rows of its list, in the list's order


class FewRelatedOnlyFieldListFilter(RelatedOnlyFieldListFilter):
    """The related rows found among the first FILTER_ROWS_READ rows the user sees, at most FILTER_CHOICES_SHOWN of
    them plus the chosen one: the sidebar of a user who sees 100,000 campaigns does not list every company they
    share one with."""

    truncated = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.truncated:
            self.title = f"{self.title} (the first {FILTER_CHOICES_SHOWN})"

    def field_choices(self, field, request, model_admin):
        related_model = field.remote_field.model
        listed = model_admin.get_queryset(request).values_list(f"{self.field_path}__pk", flat=True)
        related = related_model._default_manager.select_related(*label_paths(related_model))
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = related.order_by(*ordering) if ordering else related
        # From the first rows of the list only: asked of every row the user sees, the database walked all 100,000
        # campaigns newest first to find the 21 of a company that sees 100 (113 ms of a 150 ms list).
        shown = list(related.filter(pk__in=listed[:FILTER_ROWS_READ])[: FILTER_CHOICES_SHOWN + 1])
        if len(shown) > FILTER_CHOICES_SHOWN:
            shown, self.truncated = shown[:FILTER_CHOICES_SHOWN], True
        chosen = [value for value in self.lookup_val or [] if str(value).isdigit()]
        shown += [row for row in related.filter(pk__in=chosen).filter(pk__in=listed) if row not in shown]
        return [(row.pk, str(row)) for row in shown]


def _autocomplete_source(request) -> tuple[type[models.Model], str] | None:
    """The model and field an admin autocomplete is filling, so it offers what that field may take."""
    if not request.path.endswith("/autocomplete/"):
        return None
    try:
        from django.apps import apps

        return apps.get_model(request.GET["app_label"], request.GET["model_name"]), request.GET["field_name"]
    except (KeyError, LookupError, ValueError):
        return None


class ScopedAdminSite(admin.AdminSite):
    site_header = "Co-marketing campaign tracker"
    site_title = "Co-marketing tracker"
    index_title = "My work"
    index_template = "admin/my_work.html"

    def index(self, request, extra_context=None):
        from partners.dashboard import my_work

        return super().index(request, {"panels": my_work.render(request), **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        # Built once per request: every admin page's navigation asks for it, My work twice (its list and the
        # navigation), and each build reverses two addresses and asks four permissions per model (12 ms).
        built = request.__dict__.setdefault("_app_lists", {})
        if app_label not in built:
            built[app_label] = self._app_list_in_index(request, app_label)
        return built[app_label]

    def _app_list_in_index(self, request, app_label):
        # Low-level rows (parties, RACI rows, a company's answers…) are reached from their campaign.
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["models"] = [
                model for model in app["models"] if getattr(self._registry.get(model["model"]), "in_index", True)
            ]
        return [app for app in app_list if app["models"]]

    def get_urls(self):
        from partners import two_factor_pages

        scoped_shortcut = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.scoped_shortcut), name="view_on_site"
        )
        # The signed-in login's own two-factor pages (partners.two_factor): no row of anyone's.
        own_pages = [
            path(route, self.admin_view(partial(view, admin_site=self)), name=name)
            for route, view, name in (
                ("two-factor/", two_factor_pages.overview_view, "two_factor"),
                ("two-factor/code/", two_factor_pages.code_view, "two_factor_code"),
                ("two-factor/set-up/", two_factor_pages.setup_view, "two_factor_setup"),
            )
        ]
        return [scoped_shortcut, *own_pages, *super().get_urls()]

    def scoped_shortcut(self, request, content_type_id, object_id):
        """Django's "view on site" redirect, answering the same 404 for hidden and missing objects."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        if model is None or not _exists(scoped_queryset(model, request.user), object_id):
            raise Http404("No such object.")
        return shortcut(request, content_type_id, object_id)
