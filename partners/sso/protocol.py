"""OpenID Connect, the authorization-code flow with PKCE, state and nonce, for one company's provider.

Authlib builds the authorization request and the token request and makes the PKCE challenge; joserfc (Authlib's
JOSE library) checks the ID token's signature against the provider's published keys and its claims: issued by the
company's issuer, for its client ID, unexpired, carrying the nonce this browser was given. Every request to the
provider (discovery, token, keys) goes through `utilities.outbound_http`: a company types the issuer, so it must
not become a way into our network, and a slow or chatty provider is cut off at the deadline and the answer cap.
"""

import base64
import json
import secrets
from dataclasses import asdict, dataclass
from urllib.parse import quote

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.core.exceptions import ValidationError
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from utilities import outbound_http

# Signature algorithms accepted in an ID token (never "none", never an HMAC keyed with the client secret).
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# Clocks of the provider and of this server may disagree by this much.
CLOCK_LEEWAY_SECONDS = 60

START_AGAIN = "Start again from the sign-in page."
REFUSED_CLAIMS = {
    "iss": "This sign-in was issued by another provider than the one your company connected.",
    "aud": "This sign-in was issued for another application (client ID) than the one your company connected.",
    "azp": "This sign-in was issued for another application (client ID) than the one your company connected.",
    "nonce": f"This sign-in is not the one this browser started. {START_AGAIN}",
    "exp": f"This sign-in has expired. {START_AGAIN}",
    "iat": f"This sign-in is dated in the future: the provider's clock is wrong. {START_AGAIN}",
    "nbf": f"This sign-in is not valid yet: the provider's clock is wrong. {START_AGAIN}",
}


class SignInRefused(Exception):
    """A sign-in that cannot go on; the message is shown to the person, and says what to do."""


def provider_policy() -> outbound_http.Policy:
    """https only (plain http where the operator allows it, for development), public addresses, the outbound
    deadline and answer cap. Saving an issuer and every sign-in apply it alike."""
    return outbound_http.Policy.from_settings(schemes=("https", "http") if settings.SSO_ALLOW_HTTP else ("https",))


def validate_issuer(url: str) -> None:
    try:
        outbound_http.check_url(url, provider_policy())
    except outbound_http.OutboundRefused as refused:
        raise ValidationError(str(refused), code="outbound_refused") from None


@dataclass(frozen=True)
class Metadata:
    """What a provider's discovery document says, of what the flow needs."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    secret_in_body: bool  # client_secret_post, for a provider that does not take HTTP Basic


@dataclass(frozen=True)
class Pending:
    """A sign-in started in this browser, kept in its session until the provider sends it back."""

    provider_id: int
    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls, provider_id: int) -> "Pending":
        return cls(provider_id, secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64))

    def as_session(self) -> dict:
        return asdict(self)


def _json(answer: outbound_http.Answer, what: str) -> dict:
    if answer.truncated:
        raise SignInRefused(f"Your company's identity provider sent too long an answer ({what}).")
    try:
        document = json.loads(answer.body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise SignInRefused(f"Your company's identity provider did not answer in JSON ({what}).")
    return document


def _request(method: str, url: str, what: str, **kwargs) -> outbound_http.Answer:
    try:
        return outbound_http.send(method, url, policy=provider_policy(), **kwargs)
    except outbound_http.OutboundRefused as refused:
        raise SignInRefused(f"Your company's identity provider cannot be used ({what}): {refused}") from None
    except outbound_http.OutboundUnreachable as unreachable:
        raise SignInRefused(f"Your company's identity provider could not be reached ({what}): {unreachable}") from None


def _get_json(url: str, what: str) -> dict:
    answer = _request("GET", url, what, body=None, headers={"Accept": "application/json"})
    if answer.status != 200:
        raise SignInRefused(f"Your company's identity provider answered {answer.status} ({what}).")
    return _json(answer, what)


def discover(issuer: str) -> Metadata:
    """The provider's endpoints, from its discovery document; it must name itself as the issuer configured."""
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", "its discovery document")
    if document.get("issuer") != issuer:
        raise SignInRefused(
            f"The identity provider at {issuer} calls itself {str(document.get('issuer'))[:200]!r}: ask your company "
            "administrator to check the issuer address."
        )
    endpoints = [document.get(name) for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
    if not all(isinstance(url, str) for url in endpoints):
        raise SignInRefused("Your company's identity provider does not publish the endpoints a sign-in needs.")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    secret_in_body = "client_secret_basic" not in methods and "client_secret_post" in methods
    # The browser is sent to the authorization endpoint: it must be an address of the allowed schemes too.
    try:
        outbound_http.parse_destination(endpoints[0], provider_policy())
    except outbound_http.OutboundRefused as refused:
        raise SignInRefused(f"Your company's identity provider cannot be used: {refused}") from None
    return Metadata(issuer, *endpoints, secret_in_body=secret_in_body)


def authorization_url(metadata: Metadata, *, client_id: str, redirect_uri: str, pending: Pending, email: str) -> str:
    """Where the browser goes to sign in: the code flow, with the state, the nonce and the PKCE challenge."""
    return prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id,
        "code",
        redirect_uri=redirect_uri,
        scope="openid email",
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.code_verifier),
        code_challenge_method="S256",
        login_hint=email,
    )


def redeem_code(
    metadata: Metadata, *, client_id: str, client_secret: str, code: str, redirect_uri: str, pending: Pending
) -> str:
    """The ID token the provider gives for the code (with the PKCE verifier that only this browser's session has)."""
    extra = {"client_id": client_id, "client_secret": client_secret} if metadata.secret_in_body else {}
    body = prepare_token_request(
        "authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=pending.code_verifier, **extra
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if not metadata.secret_in_body:  # RFC 6749 2.3.1: each part form-encoded, then Basic
        pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    answer = _request("POST", metadata.token_endpoint, "its token endpoint", body=body.encode(), headers=headers)
    document = _json(answer, "its token endpoint")
    if answer.status != 200:
        error = str(document.get("error_description") or document.get("error") or answer.status)[:300]
        raise SignInRefused(f"Your company's identity provider refused this sign-in ({error}). {START_AGAIN}")
    id_token = document.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("Your company's identity provider sent no ID token: is it an OpenID Connect provider?")
    return id_token


def verified_claims(id_token: str, *, metadata: Metadata, client_id: str, nonce: str) -> dict:
    """The ID token's claims, once its signature (the provider's published keys) and its claims hold."""
    try:
        keys = KeySet.import_key_set(_get_json(metadata.jwks_uri, "its signing keys"))
    except (JoseError, ValueError, TypeError, KeyError):
        raise SignInRefused("Your company's identity provider publishes signing keys that cannot be read.") from None
    try:
        token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
    except (JoseError, ValueError):
        raise SignInRefused(f"This sign-in is not signed by your company's identity provider. {START_AGAIN}") from None
    claims = JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        claims.validate(token.claims)
        # Several audiences: the token must say it was issued to us (OpenID Connect Core 3.1.3.7).
        audiences = token.claims["aud"] if isinstance(token.claims["aud"], list) else [token.claims["aud"]]
        if len(audiences) > 1 and token.claims.get("azp") != client_id:
            raise InvalidClaimError("azp")
    except (ExpiredTokenError, InvalidClaimError, MissingClaimError) as wrong:
        raise SignInRefused(
            REFUSED_CLAIMS.get(wrong.claim, f"This sign-in lacks what it needs ({wrong.claim}). {START_AGAIN}")
        ) from None
    return token.claims
