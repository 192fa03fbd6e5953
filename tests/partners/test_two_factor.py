"""Two-factor sign-in: an authenticator app's code after the password (admin and API token), single-use recovery codes,
wrong codes locked out like wrong passwords, and a company's administrators requiring it of its people.

alice administers company A, bob is her colleague, carol administers partner company B, charlie outsider company C;
every password is "pw". The clock stands still (time-machine) and moves on 30 seconds between two codes, since an
authenticator's code is accepted once."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from partners import two_factor
from partners.models import Organization

CODE_PAGE = "/admin/two-factor/code/"
SETUP_PAGE = "/admin/two-factor/set-up/"
OWN_PAGE = "/admin/two-factor/"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as traveller:
        yield traveller


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, two_factor.recovery_codes_replace(user)


def code_now(device: TOTPDevice) -> str:
    """What the person's authenticator app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_now(device)) + 500_000) % 1_000_000:06d}"


def next_code(device: TOTPDevice, clock) -> str:
    clock.shift(datetime.timedelta(seconds=30))
    return code_now(device)


def sign_in(client, user, password="pw"):
    return client.post("/admin/login/", {"username": user.username, "password": password, "next": "/admin/"})


def token(user, code=None, password="pw"):
    body = {"username": user.username, "password": password, **({"code": code} if code is not None else {})}
    return APIClient().post("/api/token/", body, format="json")


def test_it_sets_up_an_authenticator_from_a_qr_code_and_shows_ten_recovery_codes_once(client, alice, clock):
    assert sign_in(client, alice).status_code == 302
    page = client.get(SETUP_PAGE)
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "QR code to scan with your authenticator app" in page.content.decode()
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert two_factor.secret_text(device) in page.content.decode()  # the secret, typed by hand, in groups of four

    wrong = client.post(SETUP_PAGE, {"code": wrong_code(device)})
    assert "This code is wrong or expired" in wrong.content.decode()
    assert two_factor.authenticator_of(alice) is None

    done = client.post(SETUP_PAGE, {"code": next_code(device, clock)})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", done.content.decode())
    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {code.replace("-", "") for code in codes} and not stored & set(codes)
    assert "10 recovery codes left" in client.get(OWN_PAGE).content.decode()
    assert client.get(SETUP_PAGE)["Location"] == OWN_PAGE  # set up once: the page says so rather than starting over


def test_it_asks_for_the_code_after_the_password_and_nothing_is_reached_before(client, alice, clock):
    device, _ = enrol(alice)
    assert sign_in(client, alice)["Location"] == "/admin/"

    asked = client.get("/admin/campaigns/campaign/")
    assert asked["Location"] == f"{CODE_PAGE}?next=%2Fadmin%2Fcampaigns%2Fcampaign%2F"
    api = client.get("/api/campaigns/")
    assert api.status_code == 403 and "enter the code from your authenticator app" in api.json()["detail"]

    signed = client.post(CODE_PAGE, {"code": code_now(device), "next": "/admin/campaigns/campaign/"})
    assert signed["Location"] == "/admin/campaigns/campaign/"
    assert client.get("/admin/campaigns/campaign/").status_code == 200
    assert client.get("/api/campaigns/").status_code == 200


def test_the_browsable_apis_login_door_is_held_at_the_code_too(client, alice, clock):
    device, _ = enrol(alice)
    assert client.post("/api-auth/login/", {"username": alice.username, "password": "pw"}).status_code == 302
    assert client.get("/api/campaigns/").status_code == 403
    assert client.get("/admin/")["Location"].startswith(CODE_PAGE)
    client.post(CODE_PAGE, {"code": code_now(device)})
    assert client.get("/api/campaigns/").status_code == 200


def test_a_recovery_code_signs_in_once_only(client, alice, clock):
    _, codes = enrol(alice)
    sign_in(client, alice)
    assert client.post(CODE_PAGE, {"code": codes[3].upper()})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert "9 recovery codes left" in client.get(OWN_PAGE).content.decode()

    client.post("/admin/logout/")
    sign_in(client, alice)
    clock.shift(datetime.timedelta(seconds=5))  # past the wait django-otp puts after a code (none: it was right)
    again = client.post(CODE_PAGE, {"code": codes[3]})
    assert again.status_code == 200 and "This code is wrong, expired or already used." in again.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_used_authenticator_code_is_refused_a_second_time(client, alice, clock):
    device, _ = enrol(alice)
    code = code_now(device)
    assert token(alice, code).status_code == 200
    refused = token(alice, code)
    assert refused.status_code == 400 and "already used" in refused.json()["code"][0]


def test_wrong_codes_count_towards_the_lockout_and_a_right_password_does_not_forgive_them(
    client, alice, clock, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    device, _ = enrol(alice)
    sign_in(client, alice)
    first = client.post(CODE_PAGE, {"code": wrong_code(device)})
    assert "This code is wrong, expired or already used." in first.content.decode()
    # django-otp makes the device wait after a wrong code; an attempt meanwhile is refused, and counts.
    second = client.post(CODE_PAGE, {"code": code_now(device)})
    assert "Too many wrong codes in a row: try again in 1 second." in second.content.decode()

    client.post("/admin/logout/")
    assert sign_in(client, alice)["Location"] == "/admin/"  # the right password: still two failures on record
    clock.shift(datetime.timedelta(minutes=1))
    locked = client.post(CODE_PAGE, {"code": "12345678"})
    assert locked.status_code == 429 and "Too many failed logins (3)" in locked.content.decode()
    assert client.post(CODE_PAGE, {"code": next_code(device, clock)}).status_code == 429  # the right code too
    assert token(alice, next_code(device, clock)).status_code == 429  # and the other doors


def test_a_full_sign_in_forgives_the_failures_before_it(client, alice, clock, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device, _ = enrol(alice)
    sign_in(client, alice)
    client.post(CODE_PAGE, {"code": wrong_code(device)})
    clock.shift(datetime.timedelta(seconds=30))
    client.post(CODE_PAGE, {"code": code_now(device)})
    client.post("/admin/logout/")
    for _ in range(2):
        sign_in(client, alice, password="wrong")
    assert sign_in(client, alice)["Location"] == "/admin/"  # two failures: under the limit
    clock.shift(datetime.timedelta(seconds=30))
    assert client.post(CODE_PAGE, {"code": code_now(device)})["Location"] == "/admin/"


def test_the_token_login_asks_for_the_code_by_name(alice, clock):
    device, codes = enrol(alice)
    missing = token(alice)
    assert missing.status_code == 400
    assert missing.json()["code"] == [
        "This login signs in with two factors: send the code its authenticator app shows now (or a recovery code) "
        "as “code”."
    ]
    wrong = token(alice, "123")
    assert wrong.status_code == 400 and wrong.json()["code"] == ["This code is wrong, expired or already used."]
    too_long = token(alice, "9" * 65)
    assert too_long.status_code == 400 and "code" in too_long.json()

    clock.shift(datetime.timedelta(minutes=5))  # past django-otp's wait after the wrong codes
    assert token(alice, code_now(device)).status_code == 200
    assert token(alice, codes[0]).status_code == 200
    assert token(alice, codes[0]).status_code == 400


def test_a_wrong_password_with_a_right_code_gets_no_token(alice, clock):
    device, _ = enrol(alice)
    answer = token(alice, code_now(device), password="wrong")
    assert answer.status_code == 400 and "code" not in answer.json()


def test_a_company_that_requires_two_factor_sends_its_people_to_set_it_up_first(client, alice, bob, clock):
    Organization.objects.filter(pk=alice.person.organization_id).update(requires_two_factor=True)
    sign_in(client, bob)
    assert client.get("/admin/")["Location"] == f"{SETUP_PAGE}?next=%2Fadmin%2F"
    assert client.get(OWN_PAGE)["Location"].startswith(SETUP_PAGE)
    api = client.get("/api/campaigns/")
    assert api.status_code == 403 and "Your company requires two-factor sign-in" in api.json()["detail"]
    refused = token(bob)
    assert refused.status_code == 403 and "Your company requires two-factor sign-in" in refused.json()["detail"]

    page = client.get(SETUP_PAGE)
    assert "Your company requires two-factor sign-in." in page.content.decode()
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    assert client.post(SETUP_PAGE, {"code": code_now(device), "next": "/admin/"}).status_code == 200
    assert client.get("/admin/").status_code == 200
    assert token(bob, next_code(device, clock)).status_code == 200


def test_a_company_that_does_not_require_it_leaves_its_people_to_choose(client, carol):
    sign_in(client, carol)
    assert client.get("/admin/").status_code == 200
    assert token(carol).status_code == 200
    assert "Only your password protects your login." in client.get(OWN_PAGE).content.decode()


def test_single_sign_on_vouches_for_the_session(client, alice, bob):
    """The hook the single sign-on door calls after `login()`: that session owes no code and no set-up."""
    Organization.objects.filter(pk=alice.person.organization_id).update(requires_two_factor=True)
    enrol(alice)
    for person in (alice, bob):
        client.force_login(person)
        assert client.get("/admin/").status_code == 302
        session = client.session
        session[two_factor.VOUCHED_SESSION_KEY] = "single sign-on"
        session.save()
        assert client.get("/admin/").status_code == 200
        assert "This session was verified through single sign-on." in client.get(OWN_PAGE).content.decode()
        client.post("/admin/logout/")


def test_new_recovery_codes_ask_for_a_current_code_and_replace_the_old_ones(client, alice, clock):
    device, old = enrol(alice)
    sign_in(client, alice)
    client.post(CODE_PAGE, {"code": code_now(device)})

    refused = client.post(OWN_PAGE, {"do": "regenerate", "regenerate-code": wrong_code(device)})
    assert "This code is wrong, expired or already used." in refused.content.decode()
    clock.shift(datetime.timedelta(minutes=1))
    fresh = client.post(OWN_PAGE, {"do": "regenerate", "regenerate-code": next_code(device, clock)})
    new = re.findall(r"<code>([a-z2-7-]{19})</code>", fresh.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert token(alice, old[0]).status_code == 400
    clock.shift(datetime.timedelta(minutes=1))  # past django-otp's wait after a wrong code
    assert token(alice, new[0]).status_code == 200


def test_turning_it_off_asks_for_a_current_code(client, alice, clock):
    device, _ = enrol(alice)
    sign_in(client, alice)
    client.post(CODE_PAGE, {"code": code_now(device)})

    client.post(OWN_PAGE, {"do": "remove", "remove-code": "not-a-code"})
    assert two_factor.authenticator_of(alice) is not None
    clock.shift(datetime.timedelta(minutes=1))
    assert client.post(OWN_PAGE, {"do": "remove", "remove-code": next_code(device, clock)})["Location"] == OWN_PAGE
    assert two_factor.authenticator_of(alice) is None and two_factor.recovery_codes_left(alice) == 0
    assert token(alice).status_code == 200  # the password alone again


def test_turning_it_off_where_the_company_requires_it_sends_the_person_to_set_it_up_again(client, alice, clock):
    Organization.objects.filter(pk=alice.person.organization_id).update(requires_two_factor=True)
    device, _ = enrol(alice)
    sign_in(client, alice)
    client.post(CODE_PAGE, {"code": code_now(device)})
    client.post(OWN_PAGE, {"do": "remove", "remove-code": next_code(device, clock)})
    assert client.get("/admin/")["Location"].startswith(SETUP_PAGE)


def test_only_the_companys_administrators_require_it_of_its_people(alice, bob, carol, charlie, shared_campaign):
    company = alice.person.organization
    url = f"/api/organizations/{company.pk}/"
    api = APIClient()
    for user, refused in ((bob, 403), (carol, 403), (charlie, 404)):
        api.force_authenticate(user)
        answer = api.patch(url, {"requires_two_factor": True}, format="json")
        assert answer.status_code == refused, (user.person.full_name, answer.content)
        if user == bob:  # his own company's profile he may change, but not this
            assert answer.json()["detail"] == (
                "Only its own administrators may change the two-factor requirement of this organization."
            )
    company.refresh_from_db()
    assert not company.requires_two_factor
    api.force_authenticate(bob)
    assert api.patch(url, {"website": "https://a.example"}, format="json").status_code == 200  # the rest: any of them

    api.force_authenticate(alice)
    answer = api.patch(url, {"requires_two_factor": True}, format="json")
    assert answer.status_code == 200 and answer.json()["requires_two_factor"] is True
    api.force_authenticate(carol)
    own = carol.person.organization
    assert api.patch(f"/api/organizations/{own.pk}/", {"requires_two_factor": True}, format="json").status_code == 200
    assert list(Organization.objects.filter(requires_two_factor=True).order_by("pk")) == [company, own]


def test_in_the_admin_only_an_administrator_can_tick_the_requirement(client, alice, bob):
    company = alice.person.organization
    page = f"/admin/partners/organization/{company.pk}/change/"
    client.force_login(bob)
    assert 'name="requires_two_factor"' not in client.get(page).content.decode()  # shown, read-only
    client.force_login(alice)
    assert 'name="requires_two_factor"' in client.get(page).content.decode()
