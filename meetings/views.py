"""Calendar feeds at secret addresses: no login, the secret is the credential (and can be revoked)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from meetings import ical, selectors
from meetings.models import CalendarToken


@require_safe
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    token = selectors.calendar_token_by_secret(secret)
    if token is None:
        raise Http404("No calendar at this address (it may have been revoked).")
    series_with_meetings, single_meetings = selectors.feed_contents(token=token)
    person = getattr(token.owner, "person", None)
    if token.campaign_id:
        name, time_zone = f"Meetings: {token.campaign}", None
    else:
        name, time_zone = "My campaign meetings", person.time_zone if person else None
    body = ical.feed(name, series_with_meetings, single_meetings, time_zone=time_zone)
    CalendarToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    return response


def meeting_download(meeting) -> HttpResponse:
    """One meeting as an .ics attachment; callers fetch the meeting through the user's scope."""
    response = HttpResponse(ical.single_meeting(meeting), content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
