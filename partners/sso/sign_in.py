"""Who a company's provider lets in: an active person of THAT company with a login, whose address is of a domain
the company claims. The provider vouches for the address; only the company's invitations make a login, so an
address the company has not invited is refused, never created."""

import secrets
import time

from django.conf import settings
from django.contrib.auth import login
from django.urls import reverse

from partners import two_factor
from partners.models import IdentityProvider, Person, SignOnDomain
from partners.sso.domains import domain_of
from partners.sso.protocol import (
    START_AGAIN,
    Pending,
    SignInRefused,
    authorization_url,
    discover,
    redeem_code,
    verified_claims,
)

SESSION_PENDING = "partners.sso.pending"
# Set once a provider's ID token signed this session in (which provider: the session's history of how it began).
SESSION_SIGNED_IN = "partners.sso.identity_provider"
# How long a sign-in started in this browser may take at the provider.
PENDING_SECONDS = 10 * 60
MAX_PARAMETER_LENGTH = 2048
NOT_STARTED_HERE = f"This sign-in is not the one this browser started, or it was used already. {START_AGAIN}"


def redirect_uri() -> str:
    """The address registered with every company's provider: the tracker's own (SITE_URL), not the request's Host."""
    return settings.SITE_URL.rstrip("/") + reverse("sso-callback")


def provider_for_email(email: str) -> IdentityProvider:
    """The enabled provider of the company that claims the address's domain."""
    domain = domain_of(email)
    provider = IdentityProvider.objects.filter(is_enabled=True, organization__sign_on_domains__domain=domain).first()
    if provider is None:
        raise SignInRefused(
            f"No company signs in through its own identity provider with addresses at {domain}: sign in with your "
            "password."
        )
    return provider


def sign_in_start(session, email: str) -> str:
    """Start a sign-in for `email` in this browser's session; returns where to send the browser."""
    provider = provider_for_email(email)
    metadata = discover(provider.issuer)
    pending = Pending.new(provider.pk)
    session[SESSION_PENDING] = {**pending.as_session(), "started_at": time.time()}
    return authorization_url(
        metadata, client_id=provider.client_id, redirect_uri=redirect_uri(), pending=pending, email=email
    )


def _pending_of(session, state: str) -> Pending:
    """The sign-in this browser started, taken out of its session (a state answers once)."""
    stored = session.pop(SESSION_PENDING, None)
    if not isinstance(stored, dict) or not secrets.compare_digest(str(stored.get("state", "")), state):
        raise SignInRefused(NOT_STARTED_HERE)
    if time.time() - stored.pop("started_at", 0) > PENDING_SECONDS:
        raise SignInRefused(f"This sign-in took more than {PENDING_SECONDS // 60} minutes. {START_AGAIN}")
    return Pending(**stored)


def person_signing_in(provider: IdentityProvider, claims: dict) -> Person:
    """The person of the provider's company the ID token names by e-mail; refused for anyone else."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise SignInRefused("Your company's identity provider did not tell your e-mail address: ask its administrator.")
    if claims.get("email_verified") is False:
        raise SignInRefused(f"Your company's identity provider has not verified {email}: ask its administrator.")
    company = provider.organization
    if not SignOnDomain.objects.filter(organization=company, domain=domain_of(email)).exists():
        # Another company's domain, or none: that address is not this company's provider's to vouch for.
        raise SignInRefused(
            f"{email} is not an address of {company}'s e-mail domains, so its provider cannot sign it in."
        )
    person = Person.objects.filter(organization=company, email__iexact=email).select_related("user").first()
    if person is None or person.user is None:
        raise SignInRefused(
            f"{email} has no login at {company} yet: ask your company administrator to invite you (signing in "
            "through your company does not create one)."
        )
    if not person.is_active or not person.user.is_active:
        raise SignInRefused(f"{company} deactivated your login: ask your company administrator.")
    return person


def sign_in_finish(request, *, state: str, code: str) -> Person:
    """Finish the sign-in the provider sent back: redeem the code, check the ID token, find the person and log
    them in, with the session marked as signed in through their company."""
    if not 0 < len(state) <= MAX_PARAMETER_LENGTH or not 0 < len(code) <= MAX_PARAMETER_LENGTH:
        raise SignInRefused(NOT_STARTED_HERE)
    pending = _pending_of(request.session, state)
    provider = (
        IdentityProvider.objects.filter(pk=pending.provider_id, is_enabled=True).select_related("organization").first()
    )
    if provider is None:
        raise SignInRefused(f"Your company no longer signs in through its identity provider. {START_AGAIN}")
    metadata = discover(provider.issuer)
    id_token = redeem_code(
        metadata,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        code=code,
        redirect_uri=redirect_uri(),
        pending=pending,
    )
    claims = verified_claims(id_token, metadata=metadata, client_id=provider.client_id, nonce=pending.nonce)
    person = person_signing_in(provider, claims)
    login(request, person.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_SIGNED_IN] = provider.pk
    # The company's provider verified the person (its own second factor included): no code is owed here.
    two_factor.vouch(request, "single sign-on")
    return person
