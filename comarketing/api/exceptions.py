import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from utilities.limits import LimitReached
from utilities.uploads import body_limit_message

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """Model rules and protected deletes answer 400 with their message, a body over its limit 413, a limit per
    period 429; anything unforeseen is logged and answered with a short JSON body (never a stack trace or an HTML
    page)."""
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE (JSON), or UPLOAD_MAX_BYTES (uploads)
        limit = getattr(exc, "limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return Response({"detail": body_limit_message(limit)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, LimitReached):  # a limit per period (invitations a day): when to try again, in words too
        return Response(
            {"detail": exc.message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after_seconds())},
        )
    if isinstance(exc, ProtectedError):
        names = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return Response(
            {
                "detail": f"It cannot be deleted while it still has {', '.join(names)}. "
                "Campaign records are kept: close or cancel a campaign instead of deleting it."
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        # A concurrent write won a race that validation had already checked; ask to retry.
        return Response(
            {"detail": "This change conflicts with a change made at the same moment. Reload and try again."},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    view = type(context.get("view")).__name__
    if isinstance(exc, OverflowError):  # a date or number the validators let through, pushed past its range
        logger.warning("%s: value out of range: %s", view, exc)
        return Response(
            {"detail": "A date or number in the request is out of range."}, status=status.HTTP_400_BAD_REQUEST
        )
    logger.exception("%s failed", view)
    return Response(
        {"detail": "The server could not complete this request; the error has been logged."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
