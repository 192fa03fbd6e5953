"""Logging in to the API: an expiring token, stored only as a hash (django-rest-knox)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView, LogoutAllView, LogoutView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny

from partners import two_factor


class TokenCredentials(AuthTokenSerializer):
    """A username or password longer than any login's is refused before authentication, which would record
    the attempt for the lockout in a column of 255 characters."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password", max_length=4096, style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    code = serializers.CharField(
        label="Two-factor code",
        max_length=two_factor.CODE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="For a login with two-factor sign-in: the code its authenticator app shows now, or a recovery code.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user, request = attrs["user"], self.context["request"]
        if two_factor.authenticator_of(user) is None:
            if two_factor.required_for(user):
                raise PermissionDenied(
                    "Your company requires two-factor sign-in: set it up in the admin (Two-factor sign-in, at the "
                    "top of every page) first, then send its code as “code”."
                )
            return attrs
        if not attrs.get("code"):
            raise serializers.ValidationError(
                {
                    "code": "This login signs in with two factors: send the code its authenticator app shows now (or a "
                    "recovery code) as “code”."
                }
            )
        try:
            two_factor.verify(request, user, attrs["code"])
        except two_factor.CodeRefused as refused:
            raise serializers.ValidationError({"code": str(refused)}) from None
        two_factor.signed_in(request, user)
        return attrs


class TokenLoginView(LoginView):
    """Username and password (and `code`, for a login with two-factor sign-in) in; a token valid for API_TOKEN_HOURS
    out (POST /api/token/logout/ revokes it, /api/token/logout-all/ every token of the login; the operator revokes any
    in the admin). Failed attempts, wrong codes included, count towards the lockout (django-axes) like the admin's."""

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
