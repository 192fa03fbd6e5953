from importlib import import_module

from django.apps import AppConfig
from django.conf import settings

# Modules that register themselves when imported: with Celery (tasks, which services send by name), with a
# registry (health checks, reminder sources, digest lines, event-message kinds, page panels, demo steps, why a
# welcome link closed) or as signal receivers. Checks and demo steps run in this order: the kickoff demo builds on
# the core demo's campaigns, the results demo on the kickoff demo's helpers, and the plan checks on the kickoff's
# lead times.
SELF_REGISTERING = (
    "tasks",
    "receivers",
    "checks.kickoff",
    "checks.plans",
    "checks.programs",
    "checks.core",
    "checks.invitations",
    "checks.people",
    "checks.budget",
    "checks.leads",
    "outbox.notices",
    "services.invitations",
    "pages.my_work",
    "pages.timeline",
    "pages.budget",
    "demo.core",
    "demo.kickoff",
    "demo.results",
    "demo.budget",
    "demo.plans",
    "demo.comments",
    "demo.flags",
)


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Joint campaigns"

    def ready(self) -> None:
        from campaigns.selectors import core as selectors
        from partners.scoping import sharing
        from utilities.schedules import periodic

        for module in SELF_REGISTERING:
            import_module(f"campaigns.{module}")
        # Partner companies and their people become visible through a shared campaign.
        sharing.companies.register(selectors.partner_companies_seen)
        sharing.people.register(selectors.partner_members_seen)
        sharing.people.register(selectors.partner_contacts_seen)
        periodic("campaigns: health sweep", "campaigns.health_sweep", every_seconds=settings.HEALTH_SWEEP_EVERY_SECONDS)
        periodic(
            "campaigns: reminder sweep", "campaigns.reminder_sweep", every_seconds=settings.REMINDER_SWEEP_EVERY_SECONDS
        )
        periodic("campaigns: full sweeps", "campaigns.full_sweeps", every_seconds=settings.FULL_SWEEP_EVERY_SECONDS)
        periodic(
            "campaigns: webhook sweep", "campaigns.webhook_sweep", every_seconds=settings.WEBHOOK_SWEEP_EVERY_SECONDS
        )
        periodic(
            "campaigns: partner scorecards",
            "campaigns.refresh_scorecards",
            every_seconds=settings.SCORECARD_REFRESH_EVERY_SECONDS,
        )
        # Results reports left "Being built" because their task never reached a worker are offered again.
        periodic("campaigns: report sweep", "campaigns.report_sweep", every_seconds=5 * 60)
        # Registrants kept past the retention their campaign's companies agreed are erased, daily.
        periodic("campaigns: registrant retention", "campaigns.registrant_retention_sweep", every_seconds=24 * 3600)
