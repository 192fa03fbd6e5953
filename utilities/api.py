"""What every app's API shares: permissions from the company's model rights, and fields described as what they are."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import DjangoModelPermissions

_VIEW = ["%(app_label)s.view_%(model_name)s"]
_CHANGE = ["%(app_label)s.change_%(model_name)s"]


class CompanyModelPermissions(DjangoModelPermissions):
    """Model permissions from the user's groups; reading needs the view permission too."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": _VIEW, "HEAD": _VIEW, "OPTIONS": _VIEW}


class ChangeActionPermissions(CompanyModelPermissions):
    """For POST actions on an existing object (a status transition): a change, not an add."""

    perms_map = {**CompanyModelPermissions.perms_map, "POST": _CHANGE}


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
        "example": "10:00",
        "description": "Wall-clock time, HH:MM.",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A local time of day with no zone (the zone is a field of its own): OpenAPI's "time" format would demand
    an offset, which a weekly meeting's local time must not have."""
