from django import forms
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partners.sso.protocol import SignInRefused
from partners.sso.sign_in import sign_in_finish, sign_in_start


class CompanySignInForm(forms.Form):
    email = forms.EmailField(
        label="Your work e-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


@never_cache
def sign_in_with_company(request):
    """Asks the address (not a list of companies: which companies use the tracker is nobody's business) and sends
    the browser to that company's provider."""
    form = CompanySignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return redirect(sign_in_start(request.session, form.cleaned_data["email"]))
        except SignInRefused as refused:
            form.add_error("email", str(refused))
    context = {"title": "Sign in with your company", "form": form, "site_header": "Co-marketing tracker"}
    return TemplateResponse(request, "partners/sso_start.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
def sign_in_callback(request):
    """Where the provider sends the browser back, with a code (or an error) and the state it was given."""
    try:
        if "error" in request.GET:
            said = request.GET.get("error_description") or request.GET["error"]
            raise SignInRefused(f"Your company's identity provider did not sign you in: {said[:300]}")
        sign_in_finish(request, state=request.GET.get("state", ""), code=request.GET.get("code", ""))
    except SignInRefused as refused:
        context = {"title": "You are not signed in", "reason": str(refused), "site_header": "Co-marketing tracker"}
        return TemplateResponse(request, "partners/sso_refused.html", context, status=403)
    return redirect("admin:index")
