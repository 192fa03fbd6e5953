from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Companies and people"

    def ready(self) -> None:
        from partners import acquaintances, demo_data, logins  # noqa: F401  (the demo step, the receivers)
        from partners.permissions import grant_to_company_staff
        from partners.scoping import sharing

        sharing.people.register(acquaintances.own_people_seen)
        sharing.companies.register(acquaintances.own_company_seen)

        # For every app (no sender): the company staff group follows each app's declared rules.
        post_migrate.connect(grant_to_company_staff, dispatch_uid="company-staff-permissions")
