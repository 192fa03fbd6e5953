import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k8#Vq2!pLz9@wR4$tY7^uI1&oP3*aS6(dF0)gH5_jK8+lZ2xC4vB7nM9qW1eR3tY5",
    "ALLOWED_HOSTS": "campaigns.example.com",
    "DATABASE_URL": "postgres://app:secret@db.example.com:5432/comarketing",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' own (set when they are collected), never production's.
    inherited_only_by_tests = {"DATABASE_URL", "REDIS_URL", "DEBUG", "CI", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in inherited_only_by_tests}
    clean.update(env, DJANGO_SETTINGS_MODULE="comarketing.settings", COMARKETING_VAR_DIR=str(ROOT / "var" / "check"))
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL must start with one of"),
        ("REDIS_URL", "amqp://broker", "REDIS_URL must start with one of"),
        ("SECRET_KEY", "", "SECRET_KEY must be set when DEBUG is off"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be an integer"),
        ("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS must name the site's host names"),
        ("ALLOWED_HOSTS", "campaigns.example.com,*", "ALLOWED_HOSTS must name the site's host names"),
        ("OUTBOUND_HTTP_ALLOWED_NETWORKS", "localhost", "OUTBOUND_HTTP_ALLOWED_NETWORKS must list IP networks"),
        ("OUTBOUND_HTTP_DEADLINE_SECONDS", "0", "OUTBOUND_HTTP_DEADLINE_SECONDS and OUTBOUND_HTTP_MAX_ANSWER_BYTES"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(name, value, message):
    result = manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(("behind_proxy", "header"), [(None, "None"), ("true", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_the_forwarded_proto_header_is_trusted_only_behind_a_declared_proxy(behind_proxy, header):
    env = {**PRODUCTION_ENV, **({"BEHIND_TLS_PROXY": behind_proxy} if behind_proxy else {})}
    result = manage("shell", "-c", "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)", env=env)
    assert result.stdout.strip().splitlines()[-1] == header, result.stderr


@pytest.mark.parametrize(("env", "networks"), [({"DEBUG": "true"}, "[]"), ({"DEBUG": "false"}, "[]")])
def test_no_private_network_is_reachable_unless_named_one_by_one(env, networks):
    """Outbound HTTP reaches private networks only through OUTBOUND_HTTP_ALLOWED_NETWORKS: DEBUG implies none."""
    script = "from django.conf import settings; print(settings.OUTBOUND_HTTP_ALLOWED_NETWORKS)"
    result = manage("shell", "-c", script, env={**PRODUCTION_ENV, **env})
    assert result.stdout.strip().splitlines()[-1] == networks, result.stderr
    named = manage(
        "shell", "-c", script, env={**PRODUCTION_ENV, **env, "OUTBOUND_HTTP_ALLOWED_NETWORKS": "10.1.0.0/16"}
    )
    assert named.stdout.strip().splitlines()[-1] == "['10.1.0.0/16']", named.stderr


def test_every_process_shares_one_cache_so_throttles_count_across_web_workers():
    # Two processes, as two gunicorn workers: a count kept by one is seen by the other.
    key = f"logins-{uuid.uuid4()}"
    count = f"from django.core.cache import cache; cache.add('{key}', 0, 60); print(cache.incr('{key}'))"
    first, second = (manage("shell", "-c", count, env={"DEBUG": "true"}) for _ in range(2))
    assert (first.stdout.split()[-1], second.stdout.split()[-1]) == ("1", "2"), first.stderr + second.stderr


def test_a_cache_server_named_by_the_environment_serves_every_process():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    shared = manage("shell", "-c", code, env={**PRODUCTION_ENV, "CACHE_URL": "redis://redis.example.com:6379/1"})
    assert shared.stdout.split()[-1] == "django.core.cache.backends.redis.RedisCache", shared.stderr
    refused = manage("check", env={**PRODUCTION_ENV, "CACHE_URL": "memcached://cache:11211"})
    assert "CACHE_URL must start with one of" in refused.stderr
