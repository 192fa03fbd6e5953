"""Logging in to the API: an expiring token, stored only as a hash (django-rest-knox)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView, LogoutAllView, LogoutView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny


class TokenCredentials(AuthTokenSerializer):
    """A username or password longer than any login's is refused before authentication, which would record
    the attempt for the lockout in a column of 255 characters."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password", max_length=4096, style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )


class TokenLoginView(LoginView):
    """Username and password in; a token valid for API_TOKEN_HOURS out (POST /api/token/logout/ revokes it,
    /api/token/logout-all/ every token of the login; the operator revokes any in the admin). Failed attempts
    count towards the lockout (django-axes) like the admin's login form."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(
        request=TokenCredentials,
        responses=inline_serializer(
            "ApiToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
    )
    def post(self, request, format=None):
        # Django's own request: django-axes marks a lockout on it, and its middleware answers for it.
        credentials = TokenCredentials(data=request.data, context={"request": request._request})
        credentials.is_valid(raise_exception=True)
        request.user = credentials.validated_data["user"]
        return super().post(request, format)


class TokenLogoutView(LogoutView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        """Revoke the token this request carries."""
        return super().post(request, format)


class TokenLogoutAllView(LogoutAllView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        """Revoke every token of this login."""
        return super().post(request, format)
