"""'Forgot your password': Django's own reset views, throttled per e-mail address and per client address.

The page answers the same whether the address has a login or not, and whether a limit was reached or not (Django's
form already sends nothing to an unknown, inactive or password-less login); over a limit, nothing is sent. The new
password ends the login's other sessions and revokes its API tokens (partners.logins).
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpResponseRedirect
from rest_framework.throttling import BaseThrottle

HOUR = 3600


def _count(key: str) -> int:
    """One more in this hour's window of `key`; returns the count (the window starts at the first)."""
    if cache.add(key, 1, timeout=HOUR):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=HOUR)
        return 1


def within_reset_limits(*, email: str, client: str | None) -> bool:
    """Counts this request against both limits; False when either is over PASSWORD_RESETS_PER_HOUR."""
    limit = settings.PASSWORD_RESETS_PER_HOUR
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = _count(f"password-reset:email:{address}")
    by_client = _count(f"password-reset:client:{client}")
    return by_address <= limit and by_client <= limit


class ThrottledPasswordResetView(PasswordResetView):
    title = "Forgot your password?"
    extra_context = {"site_header": "Co-marketing tracker"}

    def form_valid(self, form):
        # The client's address as DRF's throttles and the lockout read it (TRUSTED_PROXY_COUNT).
        client = BaseThrottle().get_ident(self.request)
        if not within_reset_limits(email=form.cleaned_data["email"], client=client):
            return HttpResponseRedirect(self.get_success_url())  # the same answer, nothing sent
        # The link in the e-mail points at SITE_URL, not at whatever Host the request named.
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"domain": site.netloc, "protocol": site.scheme, "site_name": "the tracker"}
        return super().form_valid(form)
