"""Demo data of planning: a campaign planned in one step from the shipped co-branded content template,
Northwind's own template saved from the webinar, a pinned date, and one deliverable that can no longer be
done in time (Northwind needs 5 business days for web content, 3 for legal review and 2 for sign-off)."""

from typing import Any

from django.utils import timezone

from campaigns.models import Campaign, CampaignTemplate, Deliverable, Member
from campaigns.services.core import campaign_create
from campaigns.services.invitations import invitation_accept, invitation_create
from campaigns.services.plans import template_save_from_campaign
from partners import demo
from partners.models import Person
from utilities.business_days import add_business_days
from utilities.validation import save_validated

OWN_TEMPLATE = "Northwind's webinar plan"
PLANNED = "Planning playbook — co-branded e-book"
TOO_LATE = "On-demand recording page"


def _user(email: str):
    return Person.objects.select_related("user").get(email__iexact=email).user


@demo.register
def seed_plans(context: dict[str, Any]) -> None:
    webinar = context["webinar"]
    priya = _user("priya@northwind.example")
    if not Deliverable.objects.filter(campaign=webinar, title=TOO_LATE).exists():
        save_validated(
            Deliverable(
                campaign=webinar,
                title=TOO_LATE,
                type=Deliverable.Type.LANDING_PAGE,
                channel_party=webinar.parties.get(organization=context["vendor"]),
                due_date=add_business_days(timezone.localdate(), 6),
                needs_signoff=True,
                needs_legal_review=True,
            )
        )
        Deliverable.objects.filter(campaign=webinar, type=Deliverable.Type.LIVE_EVENT).update(is_pinned=True)
    if not CampaignTemplate.objects.filter(organization=context["vendor"], name=OWN_TEMPLATE).exists():
        template_save_from_campaign(campaign=webinar, name=OWN_TEMPLATE, user=priya)
    if not Campaign.objects.filter(name=PLANNED).exists():
        shipped = CampaignTemplate.objects.get(organization=None, kind=Campaign.Kind.CO_BRANDED_CONTENT)
        playbook = campaign_create(
            user=priya,
            campaign=Campaign(name=PLANNED, goals="200 downloads, 60 ICP-matching leads."),
            template=shipped,
            event_date=add_business_days(timezone.localdate(), 25),
        )
        Member.objects.filter(campaign=playbook, person=priya.person).update(
            is_project_lead=True, is_process_expert=True
        )
        sofia = _user("sofia@bluefin.example")
        invitation = invitation_create(user=priya, campaign=playbook, organization=context["partner"])
        invitation_accept(invitation=invitation, user=sofia)
        context["playbook"] = playbook
