from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Model rules and protected deletes answer 400 with their message, never 500."""
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        names = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return Response(
            {"detail": f"It cannot be deleted while it still has {', '.join(names)}. "
                "Campaign records are kept: close or cancel a campaign instead of deleting it."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        # A concurrent write won a race that validation had already checked; ask to retry.
        return Response(
            {"detail": "This change conflicts with a change made at the same moment. Reload and try again."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
