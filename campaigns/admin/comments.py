"""Comments in the admin: their own pages (add, edit, history), and the thread shown on each commentable row's page."""

import zoneinfo
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from campaigns.models import Comment
from campaigns.registries.commentable import commentables, kind_of
from campaigns.selectors.comments import thread, visible_target
from campaigns.services.comments import comment_save
from partners.scoping import ADD, CHANGE, ensure_may, time_zone_of
from partners.scoping.admin import ScopedModelAdmin


def _local(moment, user) -> str:
    zone = zoneinfo.ZoneInfo(time_zone_of(user) or timezone.get_default_timezone_name())
    return f"{timezone.localtime(moment, zone):%a %-d %b %Y, %H:%M}"


def attachment_link(comment: Comment) -> str:
    if not comment.attachment:
        return ""
    url = reverse("campaigns:comment-attachment", args=[comment.pk])
    return format_html('<a href="{}">{}</a>', url, comment.attachment_name or "Attachment")


def render_thread(user, target) -> str:
    """A row's comments as `user` may read them: who, when (in their own zone), the text escaped with its line
    breaks, and a link to add one."""
    kind = kind_of(type(target))
    comments = list(thread(user, kind, target.pk))
    items = format_html_join(
        "",
        '<li class="comment"><p class="comment-meta"><strong>{}</strong> ({}) · {}{}{}{}</p>'
        '<div class="comment-text">{}</div>{}</li>',
        (
            (
                comment.author.full_name if comment.author else "The operator",
                comment.organization or "operator",
                _local(comment.created_at, user),
                format_html(" · edited {}", _local(comment.edited_at, user)) if comment.edited_at else "",
                format_html(" · <em>only {}</em>", comment.organization) if comment.only_my_company else "",
                format_html(' · <a href="{}">Edit</a>', reverse("admin:campaigns_comment_change", args=[comment.pk]))
                if comment.author is not None and comment.author.user_id == user.pk
                else "",
                linebreaksbr(comment.text, autoescape=True),
                format_html("<p>Attached: {}</p>", attachment_link(comment)) if comment.attachment else "",
            )
            for comment in comments
        ),
    )
    add = reverse("admin:campaigns_comment_add") + "?" + urlencode({"target_kind": kind, "target_id": target.pk})
    empty = mark_safe("<p>No comments yet.</p>") if not comments else ""
    return format_html('<ol class="comment-thread">{}</ol>{}<p><a href="{}">Add a comment</a></p>', items, empty, add)


class TargetKindFilter(admin.SimpleListFilter):
    title = "on"
    parameter_name = "target_kind"

    def lookups(self, request, model_admin):
        return [(entry.kind, entry.label.capitalize()) for entry in commentables.values()]

    def queryset(self, request, queryset):
        return queryset.filter(target_kind=self.value()) if self.value() else queryset


class CommentThreadMixin:
    """Shows a commentable row's thread on its change page (add "discussion" to `fields` where they are listed)."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._comment_reader = request.user  # the thread is read as the person viewing the page
        return obj

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "discussion"]

    @admin.display(description="Comments")
    def discussion(self, obj) -> str:
        reader = getattr(obj, "_comment_reader", None)
        if obj.pk is None or reader is None:
            return "Comments can be added once it is saved."
        return render_thread(reader, obj)


@admin.register(Comment)
class CommentAdmin(ScopedModelAdmin):
    list_display = ["__str__", "on", "campaign", "author", "organization", "only_my_company", "created_at"]
    list_filter = ["only_my_company", TargetKindFilter, "campaign"]
    list_select_related = ["campaign", "author", "organization"]
    search_fields = ["text"]
    fields = [
        "target_kind",
        "target_id",
        "target_link",
        "campaign",
        "text",
        "only_my_company",
        "attachment",
        "attached",
        "mentions",
        "author",
        "organization",
        "created_at",
        "edited_at",
    ]
    readonly_fields = ["target_link", "campaign", "attached", "mentions", "created_at", "edited_at"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return super().get_fields(request, obj)
        # A new comment: what it is on and what it says; the rest is the server's (the operator names the author).
        written = ["target_kind", "target_id", "text", "only_my_company", "attachment"]
        return [*written, "author", "organization"] if request.user.is_superuser else written

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "target_kind":
            choices = [(entry.kind, entry.label.capitalize()) for entry in commentables.values()]
            return forms.ChoiceField(label="On", choices=choices)
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 6, "maxlength": db_field.validators[0].limit_value})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class CommentForm(form_class):
            def clean(self):
                data = super().clean()
                if self.instance.pk is None and "target_kind" in data and "target_id" in data:
                    try:
                        visible_target(user, data["target_kind"], data["target_id"])
                    except ValidationError as refused:
                        self.add_error(None, refused.messages)
                return data

        return CommentForm

    def save_model(self, request, obj, form, change):
        comment_save(comment=obj, user=request.user)
        ensure_may(request.user, obj, CHANGE if change else ADD)

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_target(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._back_to_target(request, obj) or super().response_change(request, obj)

    def _back_to_target(self, request, comment: Comment):
        """Saved from a thread: back to the row it is on, where the thread shows."""
        if "_continue" in request.POST or "_addanother" in request.POST:
            return None
        return redirect(commentables[comment.target_kind].admin_change, comment.target_id)

    @admin.display(description="On")
    def target_link(self, comment: Comment) -> str:
        if comment.pk is None:
            return "—"
        url = reverse(commentables[comment.target_kind].admin_change, args=[comment.target_id])
        return format_html('<a href="{}">{} “{}”</a>', url, comment.target_label, comment.target())

    @admin.display(description="On", ordering="target_kind")
    def on(self, comment: Comment) -> str:
        return comment.target_label.capitalize()

    @admin.display(description="Attached file")
    def attached(self, comment: Comment) -> str:
        return attachment_link(comment) or "—"

    @admin.display(description="Mentions")
    def mentions(self, comment: Comment) -> str:
        if comment.pk is None:
            return "—"
        return ", ".join(person.full_name for person in comment.mentioned.all()) or "—"
