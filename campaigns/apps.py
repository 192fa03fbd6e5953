from django.apps import AppConfig
from django.conf import settings


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Joint campaigns"

    def ready(self) -> None:
        from campaigns import demo_data  # noqa: F401  (registers the demo step)
        # After demo_data: the kickoff demo step builds on its campaigns.
        from campaigns import checks_kickoff, demo_kickoff, receivers_kickoff  # noqa: F401
        from campaigns import demo_results  # noqa: F401  (after the kickoff demo, whose helpers it uses)
        from campaigns import checks_plans, checks_programs, demo_plans  # noqa: F401  (after the kickoff: its lead times)
        from campaigns import checks_core, demo_flags  # noqa: F401  (register checks, reminders, demo step)
        from campaigns import checks_invitations  # noqa: F401  (register checks)
        from campaigns import receivers_health  # noqa: F401  (fresh health after a change)
        from campaigns import my_work  # noqa: F401  (panels of the "My work" page)
        from campaigns import timeline  # noqa: F401  (the timeline panel of a campaign's home)
        from campaigns.services import notices  # noqa: F401  (registers the event-message kinds)
        from comarketing.schedules import periodic
        from campaigns.selectors import core as selectors
        from partners.scoping import sharing

        # Partner companies and their people become visible through a shared campaign.
        sharing.register_organizations(selectors.partner_organization_ids)
        sharing.register_people(selectors.partner_member_ids)
        sharing.register_people(selectors.partner_contact_ids)
        periodic("campaigns: health sweep", "campaigns.health_sweep", every_seconds=settings.HEALTH_SWEEP_EVERY_SECONDS)
        periodic(
            "campaigns: reminder sweep", "campaigns.reminder_sweep", every_seconds=settings.REMINDER_SWEEP_EVERY_SECONDS
        )
        periodic("campaigns: webhook sweep", "campaigns.webhook_sweep", every_seconds=settings.WEBHOOK_SWEEP_EVERY_SECONDS)
