"""No Docker engine runs here, so the production topology is checked by reading it."""

import re
import shlex
from pathlib import Path

import yaml

from comarketing.celery import QUEUE_OF_TASK
from tests.live_processes import option

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
WORKERS = {name: service for name, service in SERVICES.items() if " worker " in service.get("command", "")}


def test_it_describes_the_production_topology():
    assert {"web", "beat", "postgres", "redis", "migrate"} <= set(SERVICES)
    assert "gunicorn" in SERVICES["web"]["command"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in SERVICES["beat"]["command"]
    assert set(COMPOSE["volumes"]) >= {"pgdata", "redisdata", "media"}


def test_there_is_exactly_one_beat():
    beats = [name for name, service in SERVICES.items() if " beat" in str(service.get("command", ""))]
    assert beats == ["beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_redis_never_evicts_queued_tasks():
    assert "--maxmemory-policy noeviction" in SERVICES["redis"]["command"]


def test_services_have_health_checks_and_wait_for_them():
    for name in ("web", "postgres", "redis", *WORKERS):
        assert "healthcheck" in SERVICES[name], name
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_environment_names_match_the_settings():
    settings_source = (ROOT / "comarketing" / "settings.py").read_text()
    for name in SERVICES["web"]["environment"]:
        assert re.search(rf'env_\w+\("{name}"', settings_source), f"{name} is not read by the settings"


def test_a_worker_per_kind_of_work_consumes_each_queue_once_with_its_own_concurrency():
    consumed = {name: option(shlex.split(service["command"]), "-Q").split(",") for name, service in WORKERS.items()}
    assert consumed == {
        "worker-email": ["email"],
        "worker-webhooks": ["webhooks"],
        "worker-sweeps": ["sweeps"],
        "worker-reports": ["reports"],
    }
    assert set(QUEUE_OF_TASK.values()) == {queue for queues in consumed.values() for queue in queues}
    for service in WORKERS.values():
        assert int(option(shlex.split(service["command"]), "--concurrency")) >= 1
        # Each worker's health check asks that worker, not whichever worker answers first.
        assert option(shlex.split(service["command"]), "-n") == "worker@%h"
        assert "-d worker@$$HOSTNAME" in service["healthcheck"]["test"][1]
