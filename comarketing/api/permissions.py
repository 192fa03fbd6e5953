from rest_framework.permissions import DjangoModelPermissions

_VIEW = ["%(app_label)s.view_%(model_name)s"]
_CHANGE = ["%(app_label)s.change_%(model_name)s"]


class CompanyModelPermissions(DjangoModelPermissions):
    """Model permissions from the user's groups; reading needs the view permission too."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": _VIEW, "HEAD": _VIEW, "OPTIONS": _VIEW}


class ChangeActionPermissions(CompanyModelPermissions):
    """For POST actions on an existing object (a status transition): a change, not an add."""

    perms_map = {**CompanyModelPermissions.perms_map, "POST": _CHANGE}
