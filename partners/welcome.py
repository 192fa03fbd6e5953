"""The signed, expiring, single-use link with which a newly invited person sets a password and logs in.

Django's password-reset machinery, with its own salt: the token is an HMAC over the login's password hash
and last login, so it stops working once used, and after `PASSWORD_RESET_TIMEOUT` (`WELCOME_LINK_DAYS`).
It also stops working when what it was sent for is over (the invitation was withdrawn or declined): apps above
register why with `welcome_link_closer`, and the person who opens the link is told so.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.cache import never_cache


class WelcomeTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "partners.welcome.WelcomeTokenGenerator"


welcome_tokens = WelcomeTokenGenerator()

# Each gets a login and answers why its welcome link no longer works, in a sentence for that person (None: it
# has nothing against it).
WelcomeLinkCloser = Callable[[Any], str | None]
closers: list[WelcomeLinkCloser] = []


def welcome_link_closer(closer: WelcomeLinkCloser) -> WelcomeLinkCloser:
    if closer not in closers:
        closers.append(closer)
    return closer


def welcome_link_closed(user) -> str | None:
    """Why the welcome link of `user` no longer works although it is genuine and unexpired (None: it works)."""
    return next((reason for closer in closers if (reason := closer(user))), None)


def welcome_path(user) -> str:
    return reverse("welcome", args=[urlsafe_base64_encode(force_bytes(user.pk)), welcome_tokens.make_token(user)])


class WelcomeView(PasswordResetConfirmView):
    token_generator = welcome_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("admin:index")
    title = "Welcome: choose your password"

    @method_decorator(never_cache)
    def dispatch(self, *args, **kwargs):
        """A closed link sets no password, whether it is opened or its form is sent. Only a genuine link is told
        why (a made-up one gets Django's "invalid link" page): the reason names the campaign."""
        user = self.get_user(kwargs.get("uidb64", ""))
        token = kwargs.get("token")
        if token == self.reset_url_token:  # the form's page, after the link's token moved into the session
            token = self.request.session.get(INTERNAL_RESET_SESSION_TOKEN)
        if user is not None and self.token_generator.check_token(user, token) and (reason := welcome_link_closed(user)):
            context = {"title": "This link no longer works", "reason": reason}
            return TemplateResponse(self.request, "partners/welcome_closed.html", context, status=410)
        return super().dispatch(*args, **kwargs)
