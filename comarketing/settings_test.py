"""Fast settings for the test suite; DATABASE_URL / REDIS_URL still choose the real services (CI)."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("COMARKETING_VAR_DIR", os.path.join(tempfile.gettempdir(), "comarketing-test-var"))
# Under pytest-xdist each worker gets its own files folder (SQLite database, broker folder, media, mail) and its
# own task queue, so a real Celery worker started by one test process never takes another process's tasks.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    os.environ["COMARKETING_VAR_DIR"] = os.path.join(os.environ["COMARKETING_VAR_DIR"], XDIST_WORKER)

from comarketing.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# No console handler (pytest captures logs), but the same quiet PDF renderer as in production.
LOGGING = {"version": 1, "disable_existing_loggers": False, "loggers": LOGGING["loggers"]}  # noqa: F405
# Each test process its own cache, emptied between tests (tests/conftest.py): throttle counts never leak across tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite sends thousands of requests a minute as a handful of users; throttling tests set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "login": "100000/minute"},
}
# Likewise invitations: tests that build many with the services would reach the day's limits; the limits' own tests
# set theirs.
INVITATIONS_PER_COMPANY_PER_DAY = NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY = 100_000
if XDIST_WORKER:
    TASK_QUEUE_SUFFIX = f"-{XDIST_WORKER}"

# Deliveries in tests go to public addresses over https unless a test says otherwise.
WEBHOOK_ALLOW_HTTP = False
SSO_ALLOW_HTTP = False
OUTBOUND_HTTP_ALLOWED_NETWORKS: list[str] = []
