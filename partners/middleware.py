import zoneinfo
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from partners import two_factor
from partners.scoping import time_zone_of


class PersonTimezoneMiddleware:
    """Show dates in the signed-in person's own time zone (they are stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # For this request only: left active, the zone leaked into whatever the thread ran next (a test's
        # services, or work done outside any request), whose "today" was then the last visitor's.
        zone_name = time_zone_of(getattr(request, "user", None))
        with timezone.override(zoneinfo.ZoneInfo(zone_name) if zone_name else None):
            return self.get_response(request)


class TwoFactorGate:
    """A signed-in session that owes its second factor (`partners.two_factor.owed`) reaches only the page where it
    gives it, or where it sets it up when its company requires two-factor sign-in, and logging out. A page asks for
    it, then goes on where the person was going; an API call through the session is refused (403) saying so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        owes = two_factor.owed(request) if request.user.is_authenticated else None
        if owes is None:
            return self.get_response(request)
        page = reverse("admin:two_factor_code" if owes == two_factor.CODE else "admin:two_factor_setup")
        if request.path in (page, reverse("admin:logout"), reverse("rest_framework:logout")):
            return self.get_response(request)
        if owes == two_factor.CODE:
            detail = "Finish signing in: enter the code from your authenticator app first."
        else:
            detail = "Your company requires two-factor sign-in: set it up first."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": f"{detail} ({request.build_absolute_uri(page)})"}, status=403)
        return HttpResponseRedirect(f"{page}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
