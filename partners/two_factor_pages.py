"""The admin's two-factor pages: the code asked after the password, setting up an authenticator app, and each
person's own "Two-factor sign-in" page (new recovery codes, turning it off). The rules are in `partners.two_factor`;
each page acts on the signed-in login only, so it names no row and leaks none."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from partners import two_factor


def _code_field(label: str, help_text: str, **attrs) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "spellcheck": "false", **attrs}
    return forms.CharField(
        label=label, max_length=two_factor.CODE_MAX_LENGTH, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


ANY_CODE = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class CodeForm(forms.Form):
    code = _code_field("Code", ANY_CODE, autofocus=True)


class FirstCodeForm(forms.Form):
    code = _code_field("Code from the app", "The 6-digit code the app shows now.", inputmode="numeric")


class CurrentCodeForm(forms.Form):
    code = _code_field("Current code", ANY_CODE)


def _next_page(request) -> str:
    """Where the person was going, if it is on this site; else My work."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts=hosts, require_https=request.is_secure())
    return wanted if wanted and safe else reverse("admin:index")


def _render(admin_site, request, template: str, title: str, **context) -> TemplateResponse:
    context = {
        **admin_site.each_context(request),
        "title": title,
        "next": _next_page(request),
        "next_field": REDIRECT_FIELD_NAME,
        **context,
    }
    return TemplateResponse(request, f"admin/two_factor/{template}.html", context)


def code_view(request, admin_site):
    """After the password: the code from the authenticator app, or a recovery code (which then works no more)."""
    if two_factor.owed(request) != two_factor.CODE:
        return redirect(_next_page(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.sign_in_with_code(request, form.cleaned_data["code"])
        except two_factor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            return redirect(_next_page(request))
    return _render(admin_site, request, "code", "Two-factor sign-in: enter your code", form=form)


def setup_view(request, admin_site):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with its first code; the ten
    recovery codes are shown once, on the answer."""
    if two_factor.authenticator_of(request.user) is not None:
        return redirect("admin:two_factor")
    device = two_factor.authenticator_start(request.user)
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.authenticator_confirm(request, form.cleaned_data["code"])
        except two_factor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            return _recovery_codes_page(admin_site, request, codes, "Two-factor sign-in is on")
    return _render(
        admin_site,
        request,
        "setup",
        "Set up two-factor sign-in",
        form=form,
        qr_code=two_factor.qr_code_svg(device),
        secret=two_factor.secret_text(device),
        issuer=settings.OTP_TOTP_ISSUER,
        required=two_factor.required_for(request.user),
    )


def _recovery_codes_page(admin_site, request, codes: list[str], title: str) -> TemplateResponse:
    # Shown once; the admin's pages are never cached ("no-store"), so the browser keeps no copy either.
    return _render(admin_site, request, "recovery_codes", title, codes=codes)


def overview_view(request, admin_site):
    """The person's own page: whether two-factor sign-in is on, their recovery codes left, new codes, turning it off."""
    user = request.user
    form_name = request.POST.get("do") if request.method == "POST" else None
    regenerate = CurrentCodeForm(request.POST if form_name == "regenerate" else None, prefix="regenerate")
    remove = CurrentCodeForm(request.POST if form_name == "remove" else None, prefix="remove")
    for name, form in (("regenerate", regenerate), ("remove", remove)):
        if form_name != name or not form.is_valid():
            continue
        try:
            if name == "regenerate":
                codes = two_factor.recovery_codes_regenerate(request, form.cleaned_data["code"])
                return _recovery_codes_page(admin_site, request, codes, "Your new recovery codes")
            two_factor.two_factor_remove(request, form.cleaned_data["code"])
        except two_factor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            messages.success(request, "Two-factor sign-in is off: your authenticator and recovery codes were removed.")
            return redirect("admin:two_factor")
    authenticator = two_factor.authenticator_of(user)
    return _render(
        admin_site,
        request,
        "overview",
        "Two-factor sign-in",
        authenticator=authenticator,
        codes_left=two_factor.recovery_codes_left(user) if authenticator else 0,
        required=two_factor.required_for(user),
        vouched_by=request.session.get(two_factor.VOUCHED_SESSION_KEY),
        regenerate_form=regenerate,
        remove_form=remove,
    )
