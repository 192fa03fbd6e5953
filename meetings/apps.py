from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Weekly meetings"

    def ready(self) -> None:
        # Each module registers itself with a registry of campaigns, partners or utilities.
        from meetings import (  # noqa: F401
            answers,
            bench,
            comments,
            demo_data,
            digest_lines,
            health_checks,
            leavers,
            my_work,
            plans,
            reminder_sources,
            report_sections,
            tasks,
        )
        from utilities.schedules import periodic

        periodic("meetings: materialize upcoming meetings", "meetings.materialize_all_series", every_seconds=3600)
