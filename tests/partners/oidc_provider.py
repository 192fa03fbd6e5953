"""Real OpenID Connect providers on loopback (the `oidc-provider` package from the npm registry, run by Node), one
per company, and a browser that signs in at them (their development login page takes any login and password).

`tests/partners/oidc/` holds the package's package.json and lock; its node_modules is installed with `npm ci` on
first use. In CI (env CI set) a provider that cannot be installed or started fails the test, never skips it.
"""

import json
import os
import re
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

HERE = Path(__file__).parent / "oidc"
START_SECONDS = 60  # Node generates an RSA key at start; a loaded machine takes a while


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"The OpenID Connect test provider cannot run: {reason}")
    pytest.skip(f"The OpenID Connect test provider cannot run: {reason}")


def install() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    if shutil.which("npm") is None:
        unavailable("npm is not on this machine")
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True)
    if done.returncode != 0:
        unavailable(f"npm ci failed: {done.stderr[-2000:]}")


@dataclass
class TestProvider:
    """One company's provider: its issuer, the client registered for the tracker, and a handle on its process."""

    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen = field(repr=False)

    def tamper_next_id_token(self, **claims) -> None:
        """The next ID token carries these claims (signed again with the provider's key, or with a key it does not
        publish when resign="stranger")."""
        answer = httpx.post(f"{self.issuer}/test/tamper", params={"claims": json.dumps(claims)})
        assert answer.status_code == 204, answer.text

    def sign_in(self, authorization_url: str, *, login: str, redirect_uri: str) -> str:
        """Go through the provider's login and consent pages as `login`; returns the address it sends the browser
        back to (the tracker's callback, with the code and the state)."""
        assert authorization_url.startswith(self.issuer + "/"), authorization_url
        with httpx.Client(timeout=30) as browser:
            answer = browser.get(authorization_url)
            for _ in range(10):
                if answer.is_redirect:
                    target = urljoin(str(answer.url), answer.headers["location"])
                    if target.startswith(redirect_uri):
                        return target
                    answer = browser.get(target)
                    continue
                assert answer.status_code == 200, answer.text[:500]
                action = re.search(r'<form[^>]*action="([^"]+)"', answer.text).group(1)
                prompt = re.search(r'name="prompt" value="([^"]+)"', answer.text).group(1)
                fields = {"prompt": prompt, **({"login": login, "password": "any"} if prompt == "login" else {})}
                answer = browser.post(urljoin(str(answer.url), action), data=fields)
        raise AssertionError("the provider never sent the browser back")


def start(clients: list[dict]) -> subprocess.Popen:
    install()
    node = shutil.which("node")
    if node is None:
        unavailable("node is not on this machine")
    return subprocess.Popen(
        [node, "server.mjs", json.dumps({"clients": clients})],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def issuer_of(process: subprocess.Popen) -> str:
    """The issuer the provider prints once it listens."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith("{"):
                return json.loads(line)["issuer"]
        if process.poll() is not None:
            unavailable(f"it ended: {process.stderr.read()[-2000:]}")
    process.kill()
    unavailable(f"it did not start within {START_SECONDS} seconds")


def providers(redirect_uri: str, names: list[str]):
    """One provider per name, started side by side; each registers one client for the tracker."""
    clients = {name: {"client_id": f"tracker-at-{name}", "client_secret": f"secret-of-{name}"} for name in names}
    processes = {name: start([{**client, "redirect_uris": [redirect_uri]}]) for name, client in clients.items()}
    try:
        return {
            name: TestProvider(issuer_of(process), **clients[name], process=process)
            for name, process in processes.items()
        }
    except BaseException:
        stop(processes.values())
        raise


def stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
