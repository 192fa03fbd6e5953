"""Real processes against the test database (a Celery worker, gunicorn, the services of docker-compose.yml): they
share its rows only on PostgreSQL with Redis, as CI runs; on a developer's SQLite such tests are skipped (the
`needs_real_services` fixture of tests/conftest.py)."""

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection

COMPOSE_FILE = Path(settings.BASE_DIR) / "docker-compose.yml"
# The programs compose's commands start, run by the interpreter running the tests (whatever a script's first line
# says).
PROGRAMS = {
    "python": [sys.executable],
    "celery": [sys.executable, "-m", "celery"],
    "gunicorn": [sys.executable, "-m", "gunicorn"],
}


def database_url(name: str | None = None) -> str:
    """The test database (or another database `name` of the same server), for a process of its own."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def option_index(words: list[str], flag: str) -> int:
    """Where `flag`'s value is in a command line, written `flag value` or `flag=value` (-1: absent)."""
    for index, word in enumerate(words):
        if word == flag:
            return index + 1
        if word.startswith(f"{flag}="):
            return index
    return -1


def option(words: list[str], flag: str) -> str:
    index = option_index(words, flag)
    assert index >= 0, f"{flag} is not in {shlex.join(words)}"
    return words[index].removeprefix(f"{flag}=")


def compose_command(service: str, **options: str) -> list[str]:
    """The command docker-compose.yml runs for `service`, as a command line for this machine: its program run by
    this interpreter, and each of `options` (`bind="127.0.0.1:8001"` for --bind, `Q="email-x"` for -Q) set to the
    value given. An option the command does not have fails: the test then no longer runs what compose runs."""
    words = shlex.split(yaml.safe_load(COMPOSE_FILE.read_text())["services"][service]["command"])
    for name, value in options.items():
        flag = f"-{name}" if len(name) == 1 else f"--{name}"
        index = option_index(words, flag)
        assert index >= 0, f"compose's {service} has no {flag}: {shlex.join(words)}"
        words[index] = value if words[index - 1] == flag else f"{flag}={value}"
    return [*PROGRAMS[words[0]], *words[1:]]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process in a session of its own (stopped with every child, as a container is), output to `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(*processes: subprocess.Popen, sig=signal.SIGTERM) -> None:
    """Signal the processes and their children, all at once; SIGKILL whatever has not ended 20 s after a gentler
    signal."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        os.killpg(process.pid, sig)
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition, seconds=60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
