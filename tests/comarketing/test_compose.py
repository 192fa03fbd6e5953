"""No Docker engine runs here, so the production topology is checked by reading it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_describes_the_production_topology():
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(SERVICES)
    assert "gunicorn" in SERVICES["web"]["command"]
    assert "worker" in SERVICES["worker"]["command"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in SERVICES["beat"]["command"]
    assert set(COMPOSE["volumes"]) >= {"pgdata", "redisdata", "media"}


def test_there_is_exactly_one_beat():
    beats = [name for name, service in SERVICES.items() if " beat" in str(service.get("command", ""))]
    assert beats == ["beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_redis_never_evicts_queued_tasks():
    assert "--maxmemory-policy noeviction" in SERVICES["redis"]["command"]


def test_services_have_health_checks_and_wait_for_them():
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in SERVICES[name], name
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_environment_names_match_the_settings():
    settings_source = (ROOT / "comarketing" / "settings.py").read_text()
    for name in SERVICES["web"]["environment"]:
        assert re.search(rf'env_\w+\("{name}"', settings_source), f"{name} is not read by the settings"
