from typing import Any

from partners import demo
from partners.models import Organization, PartnerRelationship, Person
from partners.services import company_user_create

DEMO_PASSWORD = "demo-pass-2026"

COMPANIES = {
    "vendor": {
        "name": "Northwind Analytics",
        "website": "https://northwind.example",
        "country": "US",
        "ideal_customer_profile": "Mid-market SaaS finance teams (200–2,000 employees) in North America and Europe.",
        "value_proposition": "Forecasting that finance trusts, live in a week.",
        "people": [
            ("Maria Lopez", "maria@northwind.example", "VP Partnerships", "America/New_York"),
            ("Sam Chen", "sam@northwind.example", "CMO", "America/Los_Angeles"),
            ("Priya Nair", "priya@northwind.example", "Partner Marketing Manager", "America/New_York"),
            ("Tom Becker", "tom@northwind.example", "Product Manager", "Europe/Berlin"),
            ("Alex Kim", "alex@northwind.example", "Marketing Operations", "America/Chicago"),
        ],
    },
    "partner": {
        "name": "Bluefin Consulting",
        "website": "https://bluefin.example",
        "country": "DE",
        "ideal_customer_profile": "CFO offices modernising planning; strong in DACH and the Nordics.",
        "value_proposition": "Implementation partner for finance transformation.",
        "people": [
            ("Jonas Weber", "jonas@bluefin.example", "Managing Director", "Europe/Berlin"),
            ("Lena Fischer", "lena@bluefin.example", "Head of Marketing", "Europe/Berlin"),
            ("Erik Lund", "erik@bluefin.example", "Alliance Manager", "Europe/Stockholm"),
            ("Sofia Rossi", "sofia@bluefin.example", "Program Manager", "Europe/Rome"),
        ],
    },
    "third": {
        "name": "Cobalt Cloud",
        "website": "https://cobalt.example",
        "country": "JP",
        "ideal_customer_profile": "Enterprise IT buying cloud data platforms.",
        "value_proposition": "Managed data platform.",
        "people": [
            ("Hana Sato", "hana@cobalt.example", "Director of Alliances", "Asia/Tokyo"),
            ("Ben Carter", "ben@cobalt.example", "Field Marketing Lead", "America/Los_Angeles"),
        ],
    },
}


@demo.register
def seed_companies(context: dict[str, Any]) -> None:
    for key, spec in COMPANIES.items():
        organization, _ = Organization.objects.update_or_create(
            name=spec["name"],
            defaults={
                "website": spec["website"],
                # Business days in plans skip each company's public holidays.
                "country": spec["country"],
                "ideal_customer_profile": spec["ideal_customer_profile"],
                "value_proposition": spec["value_proposition"],
            },
        )
        context[key] = organization
        people = []
        for full_name, email, title, zone in spec["people"]:
            person = Person.objects.filter(email__iexact=email).first() or company_user_create(
                organization=organization,
                email=email,
                full_name=full_name,
                password=DEMO_PASSWORD,
                job_title=title,
                time_zone=zone,
            )
            people.append(person)
        context[f"{key}_people"] = people
    context.setdefault("logins", []).extend(
        (spec["name"], email) for spec in COMPANIES.values() for _, email, _, _ in spec["people"][:2]
    )
    context["password"] = DEMO_PASSWORD
    # Northwind runs a partner program: Bluefin is a tier-1 partner; Bluefin in turn counts Cobalt as tier 2.
    for vendor, partner, tier in (("vendor", "partner", 1), ("partner", "third", 2)):
        PartnerRelationship.objects.get_or_create(
            vendor=context[vendor], partner=context[partner], defaults={"tier": tier}
        )
