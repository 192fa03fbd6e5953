"""Outbound HTTP cannot be pointed inside: every known way of writing a loopback or private address is refused
before a connection is made (a real listener on loopback records none), the name is resolved once and the
checked address is the one connected to, redirects are answers, and TLS is verified for the name."""

import ipaddress
import time

import pytest

from tests.listeners import INSIDE_NAMES, Answer, Receiver, Trap, certificate_for, inside_addresses, resolving
from utilities.outbound_http import (
    OutboundRefused,
    OutboundUnreachable,
    Policy,
    check_url,
    is_public,
    post,
)

# 127.0.0.2 is loopback too (all of 127/8 is): receivers that tests let through live there, the trap on 127.0.0.1.
RECEIVER_ADDRESS = "127.0.0.2"
STRICT = Policy(schemes=("https", "http"))
RELAXED = Policy(schemes=("https", "http"), allowed_networks=(ipaddress.ip_network(f"{RECEIVER_ADDRESS}/32"),))


def send(url: str, policy: Policy = STRICT, resolver=None):
    return post(url, body=b"{}", headers={"Content-Type": "application/json"}, policy=policy, resolver=resolver)


@pytest.fixture
def trap():
    trap = Trap()
    yield trap
    trap.close()


def test_the_trap_records_a_connection_the_policy_lets_through(trap):
    """The control: were any form below let through, the trap would know."""
    let_through = Policy(schemes=("http",), allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))
    with pytest.raises(OutboundUnreachable):  # the trap hangs up without answering
        send(f"http://127.0.0.1:{trap.port}/", let_through)
    assert len(trap.connections) == 1


def test_no_form_of_an_inside_address_reaches_the_listener(trap):
    resolver = resolving(INSIDE_NAMES)
    for url in inside_addresses(trap.port):
        with pytest.raises(OutboundRefused):
            send(url, resolver=resolver)
        with pytest.raises(OutboundRefused):  # and when the address is saved, with the same rules
            check_url(url, STRICT, resolver)
    assert trap.connections == []


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "2001:4860:4860::8888"],
)
def test_public_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


def test_the_messages_say_what_to_do():
    resolver = resolving({"receiver.example": ["127.0.0.1"]})
    messages = {}
    for url in ("https://a:b@hooks.example.com/", "https://2130706433/", "https://10.0.0.7/", "http://x.example/"):
        with pytest.raises(OutboundRefused) as refused:
            check_url(url, Policy())
        messages[url] = str(refused.value)
    with pytest.raises(OutboundRefused) as refused:
        check_url("https://receiver.example/", Policy(), resolver)
    assert messages == {
        "https://a:b@hooks.example.com/": "Give the address without a user name or password (nothing before an @).",
        "https://2130706433/": "Write an IP address as four numbers from 0 to 255, such as 203.0.113.7.",
        "https://10.0.0.7/": "This address points inside a private network; use your service's public address.",
        "http://x.example/": "Use an https:// address.",
    }
    assert str(refused.value) == "receiver.example points inside a private network; use your service's public address."


def test_a_name_not_found_yet_may_be_saved_and_fails_the_send_for_a_retry():
    resolver = resolving({})
    assert check_url("https://soon.example/in", Policy(), resolver).host == "soon.example"
    with pytest.raises(OutboundUnreachable, match="The host name soon.example could not be found."):
        send("https://soon.example/in", resolver=resolver)


def test_a_redirect_inside_is_an_answer_not_followed(trap):
    receiver = Receiver(Answer.status(302, location=f"http://127.0.0.1:{trap.port}/"), host=RECEIVER_ADDRESS)
    try:
        answer = send(f"http://{RECEIVER_ADDRESS}:{receiver.port}/in", RELAXED)
    finally:
        receiver.close()
    assert answer.status == 302
    assert len(receiver.requests) == 1
    assert trap.connections == []


def test_the_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to():
    """DNS rebinding: the second answer for the name would point at the trap; there is no second lookup."""
    receiver = Receiver(Answer.status(204), host=RECEIVER_ADDRESS)
    trap = Trap("127.0.0.1", receiver.port)  # where the name would lead if it were looked up again
    answers = iter([[RECEIVER_ADDRESS], ["127.0.0.1"]])
    calls = []

    def rebinding(host, port):
        calls.append(host)
        return next(answers)

    try:
        answer = send(f"http://receiver.example:{receiver.port}/in/café?x=1#top", RELAXED, rebinding)
    finally:
        receiver.close()
        trap.close()
    assert answer.status == 204
    assert calls == ["receiver.example"]
    assert trap.connections == []
    assert receiver.requests[0]["Host"] == f"receiver.example:{receiver.port}"  # the name, not the address
    assert receiver.paths == ["/in/caf%C3%A9?x=1"]


def test_tls_is_verified_for_the_name_while_connecting_to_the_checked_address(tmp_path):
    context, ca = certificate_for("receiver.example", tmp_path)
    receiver = Receiver(Answer.status(200), host=RECEIVER_ADDRESS, tls=context)
    policy = Policy(allowed_networks=RELAXED.allowed_networks, ca_certs=str(ca))
    resolver = resolving({"receiver.example": [RECEIVER_ADDRESS], "other.example": [RECEIVER_ADDRESS]})
    try:
        answer = send(f"https://receiver.example:{receiver.port}/in", policy, resolver)
        # The same server, but its certificate is not for this name.
        with pytest.raises(OutboundUnreachable, match="^The certificate of other.example could not be verified"):
            send(f"https://other.example:{receiver.port}/in", policy, resolver)
    finally:
        receiver.close()
    assert answer.status == 200
    assert receiver.server_names[0] == "receiver.example"
    assert len(receiver.requests) == 1


def test_an_answer_is_read_up_to_the_cap():
    sent: list[int] = []
    receiver = Receiver(Answer.huge(20 * 1024 * 1024, sent), host=RECEIVER_ADDRESS)
    policy = Policy(schemes=("http",), allowed_networks=RELAXED.allowed_networks, max_answer_bytes=1000)
    try:
        answer = send(f"http://{RECEIVER_ADDRESS}:{receiver.port}/", policy)
    finally:
        receiver.close()
    assert (answer.status, len(answer.body), answer.truncated) == (200, 1000, True)


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "status line and headers"])
def test_a_drip_is_cut_at_the_total_deadline(headers_too):
    receiver = Receiver(Answer.drip(30, headers_too=headers_too), host=RECEIVER_ADDRESS)
    policy = Policy(schemes=("http",), allowed_networks=RELAXED.allowed_networks, deadline_seconds=2)
    try:
        with pytest.raises(OutboundUnreachable, match="^The receiver took longer than 2 seconds.$"):
            send(f"http://{RECEIVER_ADDRESS}:{receiver.port}/", policy)
    finally:
        receiver.close()


def test_a_name_that_takes_the_whole_deadline_to_resolve_is_not_connected_to(trap):
    def slow(host, port):
        time.sleep(1.2)
        return ["127.0.0.1"]

    policy = Policy(schemes=("http",), allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), deadline_seconds=1)
    with pytest.raises(OutboundUnreachable, match="^The receiver took longer than 1 second.$"):
        send(f"http://slow.example:{trap.port}/", policy, slow)
    assert trap.connections == []
