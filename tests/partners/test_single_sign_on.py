"""Signing in through a company's own OpenID Connect provider, against real providers on loopback (oidc-provider,
run by Node): two companies' people each through their own; every refusal a person can meet, with the page they
see."""

import html
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from partners.governance import person_deactivate
from partners.services import company_user_create
from partners.sso.sign_in import SESSION_SIGNED_IN
from tests.partners import oidc_provider
from tests.partners.factories import OrganizationFactory, identity_provider

REDIRECT_URI = "http://testserver/sso/callback/"


@pytest.fixture(scope="module")
def oidc():
    providers = oidc_provider.providers(REDIRECT_URI, ["northwind", "bluefin"])
    yield providers
    oidc_provider.stop(provider.process for provider in providers.values())


@pytest.fixture
def loopback(settings):
    settings.SITE_URL = "http://testserver"
    settings.SSO_ALLOW_HTTP = True
    settings.OUTBOUND_HTTP_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def companies(db, oidc, loopback):
    """Northwind and Bluefin, each with its provider and domain, each with an administrator and a colleague."""
    northwind, bluefin = OrganizationFactory(name="Northwind"), OrganizationFactory(name="Bluefin")
    for company, name, domain in (
        (northwind, "northwind", "northwind.example"),
        (bluefin, "bluefin", "bluefin.example"),
    ):
        provider = oidc[name]
        identity_provider(company, issuer=provider.issuer, client_id=provider.client_id, domains=[domain])
        company.identity_provider.client_secret = provider.client_secret
        company.identity_provider.save()
        company_user_create(organization=company, email=f"admin@{domain}", full_name="Admin", password="pw")
    maria = company_user_create(
        organization=northwind, email="maria@northwind.example", full_name="Maria", password=None
    )
    jonas = company_user_create(organization=bluefin, email="Jonas@bluefin.example", full_name="Jonas", password=None)
    return {"northwind": maria, "bluefin": jonas}


def sign_in(client, provider, *, typed: str, login: str | None = None):
    """Type the address on "Sign in with your company", sign in at the provider as `login`, and come back."""
    started = client.post("/sso/", {"email": typed})
    assert started.status_code == 302, started.content.decode()
    # The authorization-code flow with PKCE (S256), a state and a nonce.
    asked = parse_qs(urlsplit(started["Location"]).query)
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert asked["state"][0] and asked["nonce"][0] and asked["code_challenge"][0]
    back = provider.sign_in(started["Location"], login=login or typed, redirect_uri=REDIRECT_URI)
    return client.get(oidc_provider.path_of(back))


def text(response) -> str:
    return html.unescape(response.content.decode())


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_it_signs_in_each_companys_people_through_their_own_provider(client, oidc, companies):
    for name, person in companies.items():
        client.logout()
        landed = sign_in(client, oidc[name], typed=person.email.lower())
        assert landed.status_code == 302 and landed["Location"] == "/admin/"
        assert signed_in_user_id(client) == str(person.user.pk)
        # The marker the two-factor step reads: this session's sign-in went through the company's provider.
        assert client.session[SESSION_SIGNED_IN] == person.organization.identity_provider.pk
        assert client.get("/admin/").status_code == 200


def test_a_company_that_requires_two_factor_takes_its_providers_sign_in_as_that(client, oidc, companies):
    maria = companies["northwind"]
    type(maria.organization).objects.filter(pk=maria.organization_id).update(requires_two_factor=True)
    # With a password, she would be sent to set up an authenticator; through the provider, she is in.
    sign_in(client, oidc["northwind"], typed=maria.email)
    assert client.get("/admin/").status_code == 200


def test_the_login_page_offers_signing_in_with_your_company(client, db):
    page = client.get("/admin/login/")
    assert 'href="/sso/"' in text(page)
    assert "Your work e-mail address" in client.get("/sso/").content.decode()


@pytest.mark.parametrize(
    "claims, said",
    [
        ({"iss": "https://impostor.example"}, "issued by another provider than the one your company connected"),
        ({"aud": "another-application"}, "issued for another application (client ID)"),
        ({"exp": "EXPIRED", "iat": "LONG_AGO"}, "This sign-in has expired"),
        ({"nonce": "not-the-one-given"}, "not the one this browser started"),
        ({"resign": "stranger"}, "not signed by your company's identity provider"),
    ],
    ids=["wrong issuer", "wrong audience", "expired", "wrong nonce", "signed by a stranger"],
)
def test_it_refuses_an_id_token_that_does_not_hold(client, oidc, companies, claims, said):
    now = int(time.time())
    moments = {"EXPIRED": now - 3600, "LONG_AGO": now - 7200}
    oidc["northwind"].tamper_next_id_token(**{name: moments.get(value, value) for name, value in claims.items()})
    refused = sign_in(client, oidc["northwind"], typed="maria@northwind.example")
    assert refused.status_code == 403
    assert said in text(refused)
    assert signed_in_user_id(client) is None


def test_it_refuses_a_state_this_browser_did_not_start_and_a_callback_used_twice(client, oidc, companies):
    started = client.post("/sso/", {"email": "maria@northwind.example"})
    back = oidc["northwind"].sign_in(started["Location"], login="maria@northwind.example", redirect_uri=REDIRECT_URI)
    forged = client.get(oidc_provider.path_of(back).replace("state=", "state=forged"))
    assert forged.status_code == 403
    assert "not the one this browser started" in text(forged)
    # The forged answer used up the pending sign-in: the genuine one no longer works either.
    assert client.get(oidc_provider.path_of(back)).status_code == 403
    assert signed_in_user_id(client) is None


def test_a_provider_cannot_sign_in_an_address_of_a_domain_another_company_claims(client, oidc, companies):
    # Northwind's provider vouches for a Bluefin address: Northwind's provider is not Bluefin's to speak for.
    refused = sign_in(client, oidc["northwind"], typed="maria@northwind.example", login="Jonas@bluefin.example")
    assert refused.status_code == 403
    assert "Jonas@bluefin.example is not an address of Northwind's e-mail domains" in text(refused)
    assert signed_in_user_id(client) is None


def test_an_address_the_company_never_invited_is_told_to_ask_for_an_invitation(client, oidc, companies):
    refused = sign_in(client, oidc["northwind"], typed="new.hire@northwind.example")
    assert refused.status_code == 403
    assert "ask your company administrator to invite you" in text(refused)
    assert signed_in_user_id(client) is None


def test_a_deactivated_person_is_refused(client, oidc, companies):
    maria = companies["northwind"]
    admin = maria.organization.people.get(email="admin@northwind.example").user
    person_deactivate(user=admin, person=maria)
    refused = sign_in(client, oidc["northwind"], typed="maria@northwind.example")
    assert refused.status_code == 403
    assert "Northwind deactivated your login" in text(refused)


def test_an_address_of_no_connected_company_is_told_to_use_a_password(client, companies):
    page = client.post("/sso/", {"email": "someone@elsewhere.example"})
    assert page.status_code == 400
    assert "No company signs in through its own identity provider with addresses at elsewhere.example" in (text(page))


def test_a_provider_naming_another_issuer_than_configured_is_refused_before_anyone_signs_in(client, oidc, companies):
    provider = companies["northwind"].organization.identity_provider
    provider.issuer = provider.issuer.replace("127.0.0.1", "localhost")  # the same server, under another name
    provider.save()
    page = client.post("/sso/", {"email": "maria@northwind.example"})
    assert page.status_code == 400
    assert "ask your company administrator to check the issuer address" in text(page)


def test_a_provider_inside_the_private_network_is_not_reached_unless_the_operator_allows_it(
    client, companies, settings
):
    settings.OUTBOUND_HTTP_ALLOWED_NETWORKS = []
    page = client.post("/sso/", {"email": "maria@northwind.example"})
    assert page.status_code == 400
    assert "points inside a private network" in text(page)


def test_a_sign_in_the_provider_turned_down_says_what_it_said(client, db):
    page = client.get("/sso/callback/", {"error": "access_denied", "error_description": "The user cancelled"})
    assert page.status_code == 403
    assert "Your company's identity provider did not sign you in: The user cancelled" in text(page)
