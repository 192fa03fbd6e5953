"""Outbound HTTP that cannot be pointed inside our own network (webhooks, Slack, "Send a test event").

A company types the address; we must not become its way into our network. So one request:
- parses the address once, with one parser, and sends exactly what that parser saw (path and Host header built
  from it), so a second parser can never read another host out of the same text (`https://127.0.0.1\\@x/`);
- refuses a user name or password (`…@`), a backslash, spaces and control characters, and IPv4 written in any
  form but four decimal numbers (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1` all mean 127.0.0.1);
- resolves the name once, refuses it if any of its addresses is not a public unicast one (IPv4 and IPv6,
  IPv6 forms carrying an IPv4 address included), and connects to exactly the address it checked, keeping the
  name for the Host header, TLS SNI and the certificate check (so DNS rebinding has no second lookup to win);
- never follows a redirect (a 3xx is an answer like any other);
- reads at most `max_answer_bytes` of the answer and gives up at a total deadline (a watchdog closes the socket,
  so a receiver answering one byte a second cannot hold the worker past it).

urllib3 (already under the project) does the HTTP and TLS: one connection made to the checked IP with
`server_hostname` set verifies the certificate for the name. The SSRF libraries on PyPI were weighed and not
taken: advocate is archived, safehttpx is async GET only, microsoft-antissrf is a first release with neither an
answer cap nor a total deadline nor a resolver tests can replace.
"""

import http.client
import ipaddress
import socket
import ssl
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host name, port) -> every address it resolves to, as text
Resolver = Callable[[str, int], list[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
# Well-known prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and RFC 8215).
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class OutboundRefused(Exception):
    """The address is not one we send to; it will not change by itself, so trying again is pointless."""


class OutboundUnreachable(Exception):
    """The receiver could not be found, reached or read; another attempt later may succeed."""


class OutboundTimedOut(OutboundUnreachable):
    """The receiver did not finish answering before the deadline."""


@dataclass(frozen=True)
class Policy:
    """What outbound requests may do: the schemes allowed, the total deadline, the bytes of an answer kept, and
    the networks let through although not public (for tests and development only; empty in production)."""

    schemes: tuple[str, ...] = ("https",)
    deadline_seconds: float = 10
    max_answer_bytes: int = 64 * 1024
    allowed_networks: tuple[Network, ...] = ()
    ca_certs: str | None = None  # a CA bundle to trust instead of the system's (tests of the TLS check)

    @classmethod
    def from_settings(cls, *, schemes: tuple[str, ...]) -> "Policy":
        """The policy the settings describe (OUTBOUND_HTTP_*), for the schemes the caller allows."""
        return cls(
            schemes=schemes,
            deadline_seconds=settings.OUTBOUND_HTTP_DEADLINE_SECONDS,
            max_answer_bytes=settings.OUTBOUND_HTTP_MAX_ANSWER_BYTES,
            allowed_networks=tuple(
                ipaddress.ip_network(net, strict=False) for net in settings.OUTBOUND_HTTP_ALLOWED_NETWORKS
            ),
        )


@dataclass(frozen=True)
class Destination:
    """An address as the one parser read it: all a request is built from."""

    scheme: str
    host: str  # a name in ASCII (IDNA), or an IP address without brackets
    port: int
    target: str  # path and query, as sent on the request line
    literal: Address | None  # the host, when it is an IP address

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if isinstance(self.literal, ipaddress.IPv6Address) else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most the policy's max_answer_bytes
    truncated: bool  # the receiver had more to say than we read


def resolve_name(host: str, port: int) -> list[str]:
    """The system resolver: every address the name has for a TCP connection."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _unusual_ipv4(host: str) -> bool:
    """True for IPv4 written in a form other than four decimal numbers (decimal, hex, octal, short forms),
    which resolvers and HTTP clients read as an address but people never write."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def parse_destination(url: str, policy: Policy) -> Destination:
    """Read an address once, refusing what could be read two ways (OutboundRefused with a message for people)."""
    if any(character <= " " or character in "\\\x7f" for character in url):
        raise OutboundRefused("The address contains a space, a backslash or a control character.")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ or a host that changes under Unicode normalization
        raise OutboundRefused("The address is not a valid URL.") from None
    if parts.scheme not in policy.schemes:
        raise OutboundRefused(f"Use an {policy.schemes[0]}:// address.")
    if "@" in parts.netloc:
        raise OutboundRefused("Give the address without a user name or password (nothing before an @).")
    if not parts.hostname:
        raise OutboundRefused("The address has no host name.")
    try:
        port = DEFAULT_PORTS[parts.scheme] if parts.port is None else parts.port
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise OutboundRefused("The port must be a number from 1 to 65535.")
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is None and _unusual_ipv4(parts.hostname):
        raise OutboundRefused("Write an IP address as four numbers from 0 to 255, such as 203.0.113.7.")
    try:
        host = str(literal) if literal else parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise OutboundRefused("The host name is not a valid domain name.") from None
    # Non-ASCII in the path or query is sent percent-encoded (UTF-8), as browsers do; the rest is sent as written.
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe=string.punctuation)
    return Destination(parts.scheme, host, port, target, literal)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, Teredo, NAT64): a packet to it may
    well end up at that IPv4 address, so it must be public too."""
    embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if int(address) >> 32 == 0 or any(address in prefix for prefix in NAT64_PREFIXES):
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ipv4 for ipv4 in embedded if ipv4 is not None]


def is_public(address: Address) -> bool:
    """A globally routable unicast address: not private, loopback, link-local, shared (CGNAT), multicast,
    reserved, unspecified or documentation, nor an IPv6 form of such an IPv4 address."""
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        return all(is_public(ipv4) for ipv4 in _embedded_ipv4(address))
    return True


def allowed(address: Address, policy: Policy) -> bool:
    return is_public(address) or any(address in network for network in policy.allowed_networks)


INSIDE = "points inside a private network; use your service's public address."


def check_literal(destination: Destination, policy: Policy) -> None:
    if destination.literal is not None and not allowed(destination.literal, policy):
        raise OutboundRefused(f"This address {INSIDE}")


def resolve_allowed(destination: Destination, policy: Policy, resolver: Resolver | None = None) -> Address:
    """The one address to connect to: the host itself when it is an IP address, otherwise the first the name
    resolves to, once every one of them is allowed (a name with one inside address is refused whole)."""
    check_literal(destination, policy)
    if destination.literal is not None:
        return destination.literal
    try:
        found = (resolver or resolve_name)(destination.host, destination.port)
    except (OSError, UnicodeError) as error:
        raise OutboundUnreachable(f"The host name {destination.host} could not be found.") from error
    # A scope (fe80::1%eth0) names an interface: the address before it is what is checked.
    addresses = [ipaddress.ip_address(text.split("%", 1)[0]) for text in found]
    if not addresses:
        raise OutboundUnreachable(f"The host name {destination.host} could not be found.")
    if not all(allowed(address, policy) for address in addresses):
        raise OutboundRefused(f"{destination.host} {INSIDE}")
    return addresses[0]


def check_url(url: str, policy: Policy, resolver: Resolver | None = None) -> Destination:
    """What a form or an API checks when an address is saved: the same rules as a send. A name that does not
    resolve yet is accepted (its owner may set it up later); it is resolved and checked again at every send."""
    destination = parse_destination(url, policy)
    try:
        resolve_allowed(destination, policy, resolver)
    except OutboundUnreachable:
        pass
    return destination


def _seconds(seconds: float) -> str:
    return "1 second" if seconds == 1 else f"{seconds:g} seconds"


def _read_capped(response: urllib3.HTTPResponse, limit: int) -> tuple[bytes, bool]:
    received = bytearray()
    # Compressed answers stay compressed: a small gzip bomb must not inflate past the cap.
    for chunk in response.stream(min(limit, 16 * 1024), decode_content=False):
        received += chunk[: limit - len(received)]
        if len(received) >= limit:
            return bytes(received), True
    return bytes(received), False


def _cut(connection: HTTPConnection, fired: threading.Event) -> None:
    """At the deadline: shut the socket down, which wakes a read blocked on it (from the watchdog's thread)."""
    fired.set()
    if connection.sock is not None:
        try:
            # socket.socket's own shutdown: an SSL socket's would also drop its TLS state under the reader.
            socket.socket.shutdown(connection.sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def post(
    url: str, *, body: bytes, headers: Mapping[str, str], policy: Policy, resolver: Resolver | None = None
) -> Answer:
    """POST `body` to `url` under `policy`. Raises OutboundRefused (never worth retrying), OutboundTimedOut or
    OutboundUnreachable (worth retrying later); any HTTP status is an Answer, a redirect included."""
    return send("POST", url, body=body, headers=headers, policy=policy, resolver=resolver)


def get(url: str, *, headers: Mapping[str, str], policy: Policy, resolver: Resolver | None = None) -> Answer:
    """GET `url` under `policy` (a provider's discovery document, its keys), with the same rules as `post`."""
    return send("GET", url, body=None, headers=headers, policy=policy, resolver=resolver)


def send(
    method: str,
    url: str,
    *,
    body: bytes | None,
    headers: Mapping[str, str],
    policy: Policy,
    resolver: Resolver | None = None,
) -> Answer:
    started = time.monotonic()
    destination = parse_destination(url, policy)
    address = resolve_allowed(destination, policy, resolver)
    timed_out = OutboundTimedOut(f"The receiver took longer than {_seconds(policy.deadline_seconds)}.")
    remaining = started + policy.deadline_seconds - time.monotonic()
    if remaining <= 0:  # the name took the whole deadline to resolve
        raise timed_out
    if destination.scheme == "https":
        connection = HTTPSConnection(
            str(address),
            destination.port,
            timeout=remaining,
            server_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs,
        )
    else:
        connection = HTTPConnection(str(address), destination.port, timeout=remaining)
    fired = threading.Event()
    watchdog = threading.Timer(remaining, _cut, (connection, fired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            method,
            destination.target,
            body=body,
            headers={**headers, "Host": destination.host_header},
            preload_content=False,
            decode_content=False,
        )
        response = connection.getresponse()
        received, truncated = _read_capped(response, policy.max_answer_bytes)
    except (OSError, urllib3.exceptions.HTTPError, http.client.HTTPException) as error:
        if fired.is_set() or isinstance(error, TimeoutError | urllib3.exceptions.TimeoutError):
            raise timed_out from error
        if isinstance(error, ssl.SSLCertVerificationError):
            message = f"The certificate of {destination.host} could not be verified ({error.verify_message})."
            raise OutboundUnreachable(message) from error
        raise OutboundUnreachable(f"Could not connect to {destination.host}.") from error
    finally:
        watchdog.cancel()
        connection.close()
    if fired.is_set():  # an answer without a length ends where the watchdog cut it: not a whole answer
        raise timed_out
    return Answer(response.status, received, truncated)
