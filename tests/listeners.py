"""Real listeners on this machine's loopback addresses for the outbound-HTTP tests: a trap that must never be
reached, and HTTP receivers that answer the way a hostile receiver would (a redirect inside, 300 MB, a drip)."""

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Trap:
    """A TCP listener that records every connection made to it. Bound to every address of both families by default
    (so 127.0.0.1, ::1, ::ffff:127.0.0.1 and 0.0.0.0 all reach it), or to one address and port."""

    def __init__(self, host: str | None = None, port: int = 0):
        if host is None:
            self.socket = socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
        else:
            self.socket = socket.create_server((host, port))
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, peer = self.socket.accept()
            except OSError:
                return  # closed
            self.connections.append(peer)
            connection.close()

    def close(self) -> None:
        self.socket.close()


class Answer:
    """How a receiver answers a POST: call it with the request handler after the body was read."""

    @staticmethod
    def status(code: int, location: str = "") -> Callable:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(code)
            if location:
                handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        return answer

    @staticmethod
    def huge(total_bytes: int, sent: list[int]) -> Callable:
        """`total_bytes` of answer, streamed from one 64 KB block (never held whole); `sent` counts what went."""
        block = b"x" * 65536

        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(total_bytes))
            handler.end_headers()
            sent.append(0)
            try:
                while sent[0] < total_bytes:
                    handler.wfile.write(block[: total_bytes - sent[0]])
                    sent[0] += len(block)
            except OSError:
                pass  # the sender hung up, as it should after its cap

        return answer

    @staticmethod
    def drip(length: int, *, headers_too: bool = False) -> Callable:
        """One byte a second: a body of `length` bytes (declared, so a patient client would get it whole), or the
        whole answer, status line first, when `headers_too`."""

        def answer(handler: BaseHTTPRequestHandler) -> None:
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n".encode()
            if not headers_too:
                handler.wfile.write(head)
                head = b""
            try:
                for byte in head + b"x" * length:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass

        return answer


class Receiver:
    """An HTTP server on `host` answering every POST with `answer`; it keeps each request's headers and path and
    the TLS name (SNI) it was asked for."""

    def __init__(self, answer: Callable, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(dict(self.headers))
                receiver.paths.append(self.path)
                answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def certificate_for(name: str, folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a certificate for `name` signed by a CA made here, and that CA's file (for the
    client to trust). Made with the openssl command."""
    ca_key, ca, key, request, certificate = (
        folder / f"{name}.{part}" for part in ("ca.key", "ca.pem", "key", "csr", "pem")
    )

    def run(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
    )
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(request))
    extensions = folder / f"{name}.ext"
    extensions.write_text(f"subjectAltName=DNS:{name}\n")
    run(
        "x509",
        "-req",
        "-in",
        str(request),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        str(extensions),
        "-out",
        str(certificate),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    return context, ca


def resolving(table: dict[str, list[str]]):
    """A resolver stub: names from `table`, every other name unknown (no test asks the real DNS)."""
    calls = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise OSError(f"{host} is not known here")
        return table[host]

    resolver.calls = calls
    return resolver


# Names the resolver stub maps inside (see `inside_addresses`).
INSIDE_NAMES = {
    "receiver.example": ["127.0.0.1"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "127.0.0.1.": ["127.0.0.1"],
}


def inside_addresses(port: int) -> list[str]:
    """Every way we know of writing an address that leads inside (to the trap on `port` where it can), each of
    which must be refused before any connection."""
    return [
        f"https://127.0.0.1:{port}\\@93.184.216.34/",
        f"http://127.0.0.1:{port}\\@93.184.216.34/",
        f"https://127.0.0.1:{port}@93.184.216.34/",
        f"http://93.184.216.34@127.0.0.1:{port}/",
        f"http://user:pass@127.0.0.1:{port}/",
        f"http://127.0.0.1:{port}/",
        f"http://2130706433:{port}/",
        "http://2130706433/",
        f"http://0x7f000001:{port}/",
        "http://0x7f000001/",
        f"http://0177.0.0.1:{port}/",
        "http://0177.0.0.1/",
        f"http://127.1:{port}/",
        "http://127.1/",
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://[::ffff:7f00:1]:{port}/",
        f"http://[::127.0.0.1]:{port}/",  # IPv4-compatible
        f"http://[2002:7f00:1::]:{port}/",  # 6to4 of 127.0.0.1
        f"http://[64:ff9b::7f00:1]:{port}/",  # NAT64 of 127.0.0.1
        f"http://0.0.0.0:{port}/",
        f"http://[::]:{port}/",
        f"http://169.254.169.254:{port}/latest/meta-data/",
        f"http://[fe80::1]:{port}/",
        f"http://10.0.0.7:{port}/",
        f"http://192.168.1.1:{port}/",
        f"http://172.16.0.1:{port}/",
        f"http://100.64.0.1:{port}/",  # shared address space (carrier-grade NAT)
        f"http://224.0.0.1:{port}/",
        f"http://[fc00::1]:{port}/",
        f"http://receiver.example:{port}/",  # resolves to 127.0.0.1
        f"http://mixed.example:{port}/",  # one public address and one inside
        f"http://127.0.0.1.:{port}/",  # a trailing dot: a name the resolver maps to loopback
        f"http://127.0.0.1:{port} /",
        f"http://127.0.0.1:{port}\t/",
        f"gopher://127.0.0.1:{port}/",
        "file:///etc/passwd",
    ]
