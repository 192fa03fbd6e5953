"""The signed, expiring, single-use link with which a newly invited person sets a password and logs in.

Django's password-reset machinery, with its own salt: the token is an HMAC over the login's password hash
and last login, so it stops working once used, and after `PASSWORD_RESET_TIMEOUT` (`WELCOME_LINK_DAYS`).
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import PasswordResetConfirmView
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class WelcomeTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "partners.welcome.WelcomeTokenGenerator"


welcome_tokens = WelcomeTokenGenerator()


def welcome_path(user) -> str:
    return reverse("welcome", args=[urlsafe_base64_encode(force_bytes(user.pk)), welcome_tokens.make_token(user)])


class WelcomeView(PasswordResetConfirmView):
    token_generator = welcome_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("admin:index")
    title = "Welcome: choose your password"
