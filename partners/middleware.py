import zoneinfo

from django.utils import timezone

from partners.scoping import time_zone_of


class PersonTimezoneMiddleware:
    """Show dates in the signed-in person's own time zone (they are stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = time_zone_of(getattr(request, "user", None))
        if zone_name:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        else:
            timezone.deactivate()
        return self.get_response(request)
