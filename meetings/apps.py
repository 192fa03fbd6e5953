from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Weekly meetings"

    def ready(self) -> None:
        # Each module registers itself with a registry of campaigns, partners or comarketing.
        from comarketing.schedules import periodic
        from meetings import demo_data, digest_lines, health_checks, reminder_sources  # noqa: F401
        from partners.permissions import grant_to_company_staff

        periodic("meetings: materialize upcoming meetings", "meetings.materialize_all_series", every_seconds=3600)
        post_migrate.connect(
            grant_to_company_staff(
                self,
                {
                    "meetingseries": ["view", "add", "change"],
                    "meeting": ["view", "change"],
                    "attendance": ["view", "add", "change", "delete"],
                    "decision": ["view", "add", "change", "delete"],
                    "actionitem": ["view", "add", "change", "delete"],
                    "calendartoken": ["view", "add", "change"],
                },
            ),
            sender=self,
            dispatch_uid="meetings-company-staff",
            weak=False,  # the handler is a closure; nothing else keeps it alive
        )
