from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class ComarketingAdminConfig(AdminConfig):
    """The shared admin, on a site whose every door is scoped by company."""

    default_site = "partners.scoping.admin.ScopedAdminSite"


class ComarketingConfig(AppConfig):
    """The project package as an app: wiring only (schedules, operator commands)."""

    name = "comarketing"
    verbose_name = "Co-marketing tracker"

    def ready(self) -> None:
        from comarketing import lockout  # noqa: F401 — the lockout notice's kind and its receiver
        from comarketing.schedules import install_schedules

        post_migrate.connect(
            install_schedules, sender=apps.get_app_config("django_celery_beat"), dispatch_uid="install-schedules"
        )
