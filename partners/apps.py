from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Companies and people"

    def ready(self) -> None:
        from partners import demo_data  # noqa: F401  (registers the demo step)
        from partners.permissions import grant_to_company_staff

        post_migrate.connect(
            grant_to_company_staff(
                self,
                {
                    "organization": ["view", "change"],
                    "person": ["view", "add", "change"],
                },
            ),
            sender=self,
            dispatch_uid="partners-company-staff",
            weak=False,  # the handler is a closure; nothing else keeps it alive
        )
