"""Demo data of planning: Northwind keeps the webinar's plan as its own template."""

from typing import Any

from campaigns.models import CampaignTemplate
from campaigns.services.plans import template_save_from_campaign
from partners import demo
from partners.models import Person

OWN_TEMPLATE = "Northwind's webinar plan"


@demo.register
def seed_plans(context: dict[str, Any]) -> None:
    priya = Person.objects.select_related("user").get(email__iexact="priya@northwind.example")
    if not CampaignTemplate.objects.filter(organization=priya.organization, name=OWN_TEMPLATE).exists():
        template_save_from_campaign(campaign=context["webinar"], name=OWN_TEMPLATE, user=priya.user)
