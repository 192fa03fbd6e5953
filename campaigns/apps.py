from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Joint campaigns"

    def ready(self) -> None:
        from campaigns import demo_data  # noqa: F401  (registers the demo step)
        from campaigns.selectors import core as selectors
        from partners.permissions import grant_to_company_staff
        from partners.scoping import sharing

        # Partner companies and their people become visible through a shared campaign.
        sharing.register_organizations(selectors.partner_organization_ids)
        sharing.register_people(selectors.partner_member_ids)
        sharing.register_people(selectors.partner_contact_ids)
        post_migrate.connect(
            grant_to_company_staff(
                self,
                {
                    "campaign": ["view", "add", "change"],
                    "party": ["view", "add", "change", "delete"],
                    "member": ["view", "add", "change", "delete"],
                    "deliverable": ["view", "add", "change", "delete"],
                    "raciassignment": ["view", "add", "change", "delete"],
                },
            ),
            sender=self,
            dispatch_uid="campaigns-company-staff",
            weak=False,  # the handler is a closure; nothing else keeps it alive
        )
