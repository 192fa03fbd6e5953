"""A company's administrators connect its OpenID Connect provider and claim its e-mail domains; the client secret
is written, never read back; nobody else sees any of it."""

import pytest

from partners.models import IdentityProvider, SignOnDomain
from tests.partners.factories import company_user, identity_provider

ISSUER = "https://login.company-a.example"


@pytest.fixture
def connected(company_a, alice):
    return identity_provider(company_a, issuer=ISSUER, domains=["company-a.example"])


def test_it_lets_a_company_administrator_connect_its_provider_and_never_returns_the_secret(api, alice, company_a):
    body = {"issuer": ISSUER, "client_id": "tracker", "client_secret": "s3cret-from-the-provider"}
    created = api.as_user(alice).post("/api/identity-providers/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["organization"] == company_a.pk
    assert "client_secret" not in created.data
    read = api.get(f"/api/identity-providers/{created.data['id']}/")
    assert "s3cret-from-the-provider" not in read.content.decode()
    provider = IdentityProvider.objects.get()
    assert provider.client_secret == "s3cret-from-the-provider"
    assert not hasattr(provider.history.get(), "client_secret")  # nor kept in the history


def test_a_change_without_a_secret_keeps_the_saved_one(api, alice, connected):
    changed = api.as_user(alice).patch(
        f"/api/identity-providers/{connected.pk}/",
        {"client_id": "renamed", "version": connected.version},
        format="json",
    )
    assert changed.status_code == 200, changed.data
    connected.refresh_from_db()
    assert (connected.client_id, connected.client_secret) == ("renamed", "secret-of-tracker")


def test_colleagues_who_do_not_administer_the_company_and_partners_see_none_of_it(
    api, connected, bob, carol, charlie, shared_campaign
):
    for someone in (bob, carol, charlie):  # a colleague, a partner's administrator, an outsider's
        api.as_user(someone)
        assert api.get("/api/identity-providers/").data["results"] == []
        assert api.get("/api/sign-on-domains/").data["results"] == []
        assert api.get(f"/api/identity-providers/{connected.pk}/").status_code == 404
        gone = api.patch(f"/api/identity-providers/{connected.pk}/", {"is_enabled": False}, format="json")
        assert gone.status_code == 404


def test_a_colleague_who_is_no_administrator_cannot_connect_one(api, alice, bob):
    assert not bob.person.is_company_admin  # alice, the company's first person, administers it
    body = {"issuer": ISSUER, "client_id": "tracker", "client_secret": "x"}
    assert api.as_user(bob).post("/api/identity-providers/", body, format="json").status_code == 403
    assert not IdentityProvider.objects.exists()


def test_it_refuses_a_domain_another_company_claims(api, connected, carol):
    refused = api.as_user(carol).post("/api/sign-on-domains/", {"domain": "Company-A.example"}, format="json")
    assert refused.status_code == 400
    assert refused.data["domain"] == [
        "Another company claims this domain: an address signs in through one company's provider only. If the domain "
        "is yours, ask the operator."
    ]


def test_it_tells_a_company_that_it_claims_a_domain_already(api, connected, alice):
    refused = api.as_user(alice).post("/api/sign-on-domains/", {"domain": "@company-a.example"}, format="json")
    assert refused.status_code == 400
    assert refused.data["domain"] == ["Your company claims this domain already."]


@pytest.mark.parametrize("domain", ["gmail.com", "@Outlook.com", "web.de"])
def test_it_refuses_a_public_mail_domain(api, alice, domain):
    refused = api.as_user(alice).post("/api/sign-on-domains/", {"domain": domain}, format="json")
    assert refused.status_code == 400
    assert "is a public mail service: anyone can have an address there" in refused.data["domain"][0]
    assert not SignOnDomain.objects.exists()


def test_it_keeps_a_claimed_domain_in_lower_case(api, alice):
    created = api.as_user(alice).post("/api/sign-on-domains/", {"domain": " @Company-A.Example "}, format="json")
    assert created.status_code == 201, created.data
    assert created.data["domain"] == "company-a.example"


def test_it_refuses_an_issuer_inside_the_private_network(api, alice):
    body = {"issuer": "https://127.0.0.1/", "client_id": "tracker", "client_secret": "x"}
    refused = api.as_user(alice).post("/api/identity-providers/", body, format="json")
    assert refused.status_code == 400
    assert "points inside a private network" in refused.data["issuer"][0]


def test_the_admin_form_never_shows_the_secret_and_keeps_it_when_left_empty(client, alice, connected):
    client.force_login(alice)
    url = f"/admin/partners/identityprovider/{connected.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "secret-of-tracker" not in page.content.decode()
    form = {"issuer": ISSUER, "client_id": "tracker", "client_secret": "", "is_enabled": "on"}
    saved = client.post(url, {**form, "version": connected.version})
    assert saved.status_code == 302
    connected.refresh_from_db()
    assert connected.client_secret == "secret-of-tracker"
    client.post(url, {**form, "client_secret": "rotated", "version": connected.version})
    connected.refresh_from_db()
    assert connected.client_secret == "rotated"


def test_a_new_company_user_is_no_administrator_of_anothers_provider(connected, company_b):
    stranger = company_user(company_b)
    assert IdentityProvider.objects.for_user(stranger).count() == 0
