"""Login protection around django-axes: which address a request comes from, the answer to a locked-out login
(what happened, for how long, and who can lift it), and the notice its owner gets."""

import datetime
import ipaddress
import zoneinfo

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from campaigns.models import Reminder
from campaigns.outbox.notices import notice_send
from campaigns.registries import reminder_sources

LOGIN_LOCKED_OUT = "login_locked_out"


def client_address(request) -> str | None:
    """The address a request comes from, for django-axes exactly as for DRF's throttles: REMOTE_ADDR, or, when
    TRUSTED_PROXY_COUNT (DRF's NUM_PROXIES) names the proxies in front, the address the last of them saw in
    X-Forwarded-For (counted from the right, so a value the client wrote at the left is ignored). Something
    that is no address (a misconfigured count) falls back to REMOTE_ADDR: axes stores an address column."""
    found = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(found))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    message = (
        f"Too many failed logins ({settings.AXES_FAILURE_LIMIT}) for this username from this address: "
        f"locked for {settings.AXES_COOLOFF_TIME} hour(s). The operator can unlock it sooner."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")


@reminder_sources.reminder_source(LOGIN_LOCKED_OUT, label="Your login was locked after failed attempts", render=None)
def _no_scheduled_lockouts(now: datetime.datetime):
    return ()  # sent when the lockout happens


def _until(now: datetime.datetime, time_zone: str) -> str:
    """When the lockout ends, as its owner reads a clock: "Wed 25 Nov 2026, 06:00 your time (Asia/Tokyo)"."""
    until = (now + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)).astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"{until:%a %-d %b %Y, %H:%M} your time ({time_zone})"


@receiver(user_locked_out, dispatch_uid="tell-the-owner-of-a-locked-login")
def tell_the_owner_of_a_locked_login(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """The owner of a login that was locked out is e-mailed (through the outbox), once per address and lockout
    however many tries follow: someone else may be guessing, and the lockout holds only for that address."""
    user = get_user_model().objects.filter(username=username, is_active=True).select_related("person").first()
    person = getattr(user, "person", None)
    if person is None:
        return  # no such login (nothing is told either way), or the operator's own, which has no person
    now = timezone.now()
    subject = f"login:{user.pk}:{ip_address}"
    since = now - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    if Reminder.objects.filter(kind=LOGIN_LOCKED_OUT, subject=subject, person=person, due_at__gte=since).exists():
        return
    notice_send(
        kind=LOGIN_LOCKED_OUT,
        subject=subject,
        people=[person],
        campaign=None,
        subject_line="Your login was locked after failed attempts",
        paragraphs=[
            f"{settings.AXES_FAILURE_LIMIT} wrong passwords were tried for your login ({username}) from the address "
            f"{ip_address or 'unknown'}, so logging in from that address is locked until "
            f"{_until(now, person.time_zone)}. Logging in from your usual address still works.",
            "If this was not you, change your password once you are in, and tell the operator; the operator can also "
            "lift the lock sooner.",
        ],
        link_path=reverse("admin:password_change"),
        at=now,
    )
