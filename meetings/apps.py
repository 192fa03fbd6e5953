from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Weekly meetings"

    def ready(self) -> None:
        # Each module registers itself with a registry of campaigns, partners or comarketing.
        from comarketing.schedules import periodic
        from meetings import demo_data, digest_lines, health_checks, my_work, plans, reminder_sources, report_sections  # noqa: F401

        periodic("meetings: materialize upcoming meetings", "meetings.materialize_all_series", every_seconds=3600)
