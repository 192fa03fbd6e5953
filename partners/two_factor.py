"""Two-factor sign-in: a code from an authenticator app (TOTP, django-otp) after the password, or one of ten
single-use recovery codes; a company's administrators may require it of the company's people.

How a sign-in goes: every door logs the login in as before (the admin's form, the API's session login, a welcome
link); while that session owes its second factor, `partners.middleware.TwoFactorGate` lets it reach only the code page
(the person has an authenticator) or the set-up page (their company requires two-factor and they have none), and
logging out. The API's token login asks for the code in the same request (`token_login_check`).

Single sign-on: a door that signs a person in through their company's identity provider has verified them there. It
calls `vouch(request, "single sign-on")` right after `django.contrib.auth.login()`; that session then owes no code and
no set-up (the flag lives in the session, so it ends with it: a password sign-in later owes the code again).

Wrong codes count as failed logins for django-axes (the lockout per username and address of every login door), and a
login's failures are forgiven only once it is fully signed in (`signed_in`; AXES_RESET_ON_SUCCESS is off, so a right
password does not wipe wrong codes). django-otp's own throttle also makes each device wait after a wrong code.
"""

import base64
import math
import secrets
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Person, RecoveryCodes, recovery_code_digest

VOUCHED_SESSION_KEY = "two_factor_vouched_by"
RECOVERY_CODE_COUNT = 10
# Longer than any code (a recovery code with its dashes is 19 characters); anything longer is refused unread.
CODE_MAX_LENGTH = 64

CODE = "code"
ENROLMENT = "enrolment"


class CodeRefused(Exception):
    """A code that was missing, wrong, already used or asked too often; the message says which, for a person."""


def _django_request(request: Any) -> Any:
    return getattr(request, "_request", request)  # DRF's request wraps Django's, which django-axes marks


def authenticator_of(user: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _state(user: Any) -> dict[str, bool]:
    """Whether the login has an authenticator and whether its company requires one, in one query."""
    return (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(
            has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            required=Exists(Person.objects.filter(user=OuterRef("pk"), organization__requires_two_factor=True)),
        )
        .values("has_authenticator", "required")
        .get()
    )


def required_for(user: Any) -> bool:
    return _state(user)["required"]


def owed(request: Any) -> str | None:
    """What the signed-in session still owes before it reaches anything: `CODE`, `ENROLMENT` or None."""
    user = request.user
    if not user.is_authenticated or request.session.get(VOUCHED_SESSION_KEY):
        return None
    if getattr(user, "otp_device", None) is not None:  # verified by a code in this session (OTPMiddleware)
        return None
    state = _state(user)
    if state["has_authenticator"]:
        return CODE
    return ENROLMENT if state["required"] else None


def signed_in(request: Any, user: Any) -> None:
    """The sign-in is complete (password and, if owed, second factor): the login's failed attempts are forgiven."""
    django_request = _django_request(request)
    AxesProxyHandler.update_request(django_request)
    AxesProxyHandler.reset_attempts(username=user.get_username(), ip_address=django_request.axes_ip_address)


def vouch(request: Any, how: str) -> None:
    """The hook for single sign-on: call it right after `login()` when the person was verified by other means (their
    company's identity provider). The session then counts as two-factor verified, and their company's requirement as
    met; `how` ("single sign-on") is kept in the session to say so."""
    request.session[VOUCHED_SESSION_KEY] = how
    signed_in(request, request.user)


@receiver(user_logged_in, dispatch_uid="partners-two-factor-signed-in")
def _signed_in_without_second_factor(sender, request, user, **kwargs) -> None:
    # A login with nothing to owe is signed in at its password; the others once they gave their code or set one up.
    if request is not None and not any(_state(user).values()):
        signed_in(request, user)


def _too_soon(device: Device) -> str | None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    until = (details or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else None
    wait = f"in {seconds} second{'s' if seconds != 1 else ''}" if seconds else "in a moment"
    return f"Too many wrong codes in a row: try again {wait}."


def _device_for(user: Any, code: str) -> Device | None:
    """Six digits are an authenticator's code; anything else is tried as a recovery code."""
    if code.isdigit():
        return TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    return RecoveryCodes.objects.select_for_update().filter(user=user).first()


def verify(request: Any, user: Any, code: str) -> Device:
    """The device of `user` that accepts `code` (a recovery code then works no more). A wrong code counts as a failed
    login (django-axes), and a locked-out login is refused whatever the code. Raises `CodeRefused`."""
    code = "".join((code or "").split())
    if not code:
        raise CodeRefused("Enter the 6-digit code from your authenticator app, or one of your recovery codes.")
    django_request = _django_request(request)
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(django_request, credentials):
        django_request.axes_locked_out = True  # django-axes' middleware answers with the lockout
        raise CodeRefused("Too many failed sign-ins: this login is locked for now.")
    with transaction.atomic():
        device = _device_for(user, code) if len(code) <= CODE_MAX_LENGTH else None
        refusal = _too_soon(device) if device is not None else None
        if refusal is None and (device is None or not device.verify_token(code)):
            refusal = "This code is wrong, expired or already used."
    if refusal is not None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=django_request)
        raise CodeRefused(refusal)
    return device


def sign_in_with_code(request: Any, code: str) -> None:
    """The signed-in person gives their second factor: this session is verified from now on."""
    device = verify(request, request.user, code)
    django_otp.login(request, device)
    signed_in(request, request.user)


def authenticator_start(user: Any) -> TOTPDevice:
    """An authenticator for `user` to scan and confirm: the one they started already, or a new secret."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )


def _new_recovery_code() -> str:
    letters = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 80 random bits, 16 characters
    return "-".join(letters[start : start + 4] for start in range(0, 16, 4))


@transaction.atomic
def recovery_codes_replace(user: Any) -> list[str]:
    """Ten new recovery codes (the old ones stop working), returned to be shown once: only their digests are kept."""
    device = RecoveryCodes.objects.filter(user=user).first() or RecoveryCodes.objects.create(
        user=user, name="Recovery codes"
    )
    device.token_set.all().delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_code_digest(code)) for code in codes)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def authenticator_confirm(request: Any, code: str) -> list[str]:
    """The person confirms the authenticator they scanned with its first code: two-factor sign-in is on, this session
    is verified, and the ten recovery codes are returned to be shown once."""
    user = request.user
    code = "".join((code or "").split())
    with transaction.atomic():
        if authenticator_of(user) is not None:
            raise CodeRefused("Two-factor sign-in is already set up for your login.")
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise CodeRefused("This set-up expired: start again.")
        refusal = _too_soon(device)
        if refusal is None and (not code.isdigit() or len(code) > CODE_MAX_LENGTH or not device.verify_token(code)):
            refusal = "This code is wrong or expired: enter the one your app shows now."
        if refusal is not None:
            raise CodeRefused(refusal)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_replace(user)
    django_otp.login(request, device)
    signed_in(request, user)
    return codes


def recovery_codes_regenerate(request: Any, code: str) -> list[str]:
    """New recovery codes, for a current code (so that a session left open cannot take them)."""
    verify(request, request.user, code)
    return recovery_codes_replace(request.user)


@transaction.atomic
def two_factor_remove(request: Any, code: str) -> None:
    """Turn two-factor sign-in off, for a current code: the authenticator and the recovery codes are deleted. If the
    person's company requires it, they are sent to set it up again."""
    verify(request, request.user, code)
    for device in django_otp.devices_for_user(request.user, confirmed=None):
        device.delete()


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed: base32, in groups of four."""
    letters = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(letters[start : start + 4] for start in range(0, len(letters), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The authenticator's set-up address as an inline SVG QR code (drawn here: the secret never leaves the page)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    # Our own drawing of modules, no text of the person's: safe to inline.
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-label" class="qr-code" ', 1))  # noqa: S308
