"""The page a one-click answer link of an e-mail opens: it asks to confirm (a GET never acts, so a mail scanner
opening the link answers nothing), and the confirmation acts as the link's recipient, without a session."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campaigns.services.answers import answer_read, answer_take


@never_cache
@require_http_methods(["GET", "POST"])
def answer_page(request, token: str):
    note = request.POST.get("note", "") if request.method == "POST" else ""
    if len(token) > 2000:
        pending, done = answer_read("", request.user), False  # refused as any cut or altered link is
    elif len(note) > settings.TEXT_MAX_LENGTH:
        pending, done = answer_read(token, request.user), False
        pending.refusal = pending.refusal or f"The comment is longer than {settings.TEXT_MAX_LENGTH:,} characters."
    elif request.method == "POST":
        pending = answer_take(token, request.user, note)
        done = not pending.refusal
    else:
        pending, done = answer_read(token, request.user), False
    row, entry = pending.row, pending.entry
    context = {
        **admin.site.each_context(request),  # the site's name and styles, for a visitor without a session too
        "title": f"{entry.label}: {pending.what}" if entry and row is not None else "Answer from an e-mail",
        "pending": pending,
        "done": done,
        "state": entry.state(row).items() if entry and row is not None else (),
        "note": note,
        "note_limit": settings.TEXT_MAX_LENGTH,
        "open_url": reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
        if row is not None
        else reverse("admin:index"),
    }
    return TemplateResponse(request, "campaigns/answer.html", context, status=409 if pending.refusal else 200)
