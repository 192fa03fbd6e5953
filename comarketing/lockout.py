"""The answer to a locked-out login (django-axes): what happened, for how long, and who can lift it."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    message = (
        f"Too many failed logins ({settings.AXES_FAILURE_LIMIT}) for this username from this address: "
        f"locked for {settings.AXES_COOLOFF_TIME} hour(s). The operator can unlock it sooner."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
