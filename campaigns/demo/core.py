import datetime
from typing import Any

from django.utils import timezone

from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from campaigns.services import core as services
from campaigns.services import invitations as invitation_services
from partners import demo
from partners.models import Person
from utilities.validation import save_validated

# (title, type, days from today, status, channel, {email: letters})
WEBINAR_DELIVERABLES = [
    (
        "Landing page",
        Deliverable.Type.LANDING_PAGE,
        -3,
        Deliverable.Status.IN_REVIEW,
        "vendor",
        {"priya@northwind.example": "RA", "sofia@bluefin.example": "C", "tom@northwind.example": "C"},
    ),
    (
        "Registration form",
        Deliverable.Type.REGISTRATION_FORM,
        2,
        Deliverable.Status.IN_PROGRESS,
        "vendor",
        {"alex@northwind.example": "R", "priya@northwind.example": "A", "lena@bluefin.example": "I"},
    ),
    (
        "Invitation e-mails (3 sends)",
        Deliverable.Type.INVITATION_EMAIL,
        5,
        Deliverable.Status.NOT_STARTED,
        "partner",
        {"lena@bluefin.example": "A", "sofia@bluefin.example": "R", "priya@northwind.example": "C"},
    ),
    (
        "Social posts on both companies' channels",
        Deliverable.Type.SOCIAL_POSTS,
        7,
        Deliverable.Status.NOT_STARTED,
        "partner",
        {"sofia@bluefin.example": "R", "priya@northwind.example": "R"},
    ),
    (
        "Slide deck",
        Deliverable.Type.SLIDE_DECK,
        14,
        Deliverable.Status.IN_PROGRESS,
        "vendor",
        {
            "tom@northwind.example": "R",
            "jonas@bluefin.example": "A",
            "erik@bluefin.example": "C",
            "sam@northwind.example": "I",
        },
    ),
    (
        "Speaker dry run",
        Deliverable.Type.SPEAKER_PREP,
        18,
        Deliverable.Status.NOT_STARTED,
        None,
        {
            "erik@bluefin.example": "R",
            "priya@northwind.example": "A",
            "tom@northwind.example": "C",
            "jonas@bluefin.example": "C",
        },
    ),
    (
        "The live webinar",
        Deliverable.Type.LIVE_EVENT,
        21,
        Deliverable.Status.NOT_STARTED,
        "vendor",
        {
            "priya@northwind.example": "A",
            "alex@northwind.example": "R",
            "sofia@bluefin.example": "R",
            "maria@northwind.example": "I",
            "jonas@bluefin.example": "I",
        },
    ),
    (
        "Follow-up nurture",
        Deliverable.Type.NURTURE,
        24,
        Deliverable.Status.NOT_STARTED,
        "partner",
        {"lena@bluefin.example": "R"},
    ),
    (
        "Results report",
        Deliverable.Type.RESULTS_REPORT,
        35,
        Deliverable.Status.NOT_STARTED,
        None,
        {
            "sofia@bluefin.example": "R",
            "maria@northwind.example": "A",
            "jonas@bluefin.example": "I",
            "sam@northwind.example": "I",
        },
    ),
]

# email: stakeholder role fields
WEBINAR_TEAM = {
    "maria@northwind.example": ["is_decision_maker", "is_strategic_lead"],
    "sam@northwind.example": ["is_budget_owner"],
    "priya@northwind.example": ["is_project_lead"],
    "tom@northwind.example": ["is_process_expert"],
    "alex@northwind.example": [],
    "jonas@bluefin.example": ["is_budget_owner", "is_strategic_lead"],
    "lena@bluefin.example": [],
    "erik@bluefin.example": ["is_process_expert"],
    "sofia@bluefin.example": ["is_project_lead"],
}


def _person(email: str) -> Person:
    return Person.objects.select_related("user", "organization").get(email__iexact=email)


def _campaign(name: str, host_email: str, **fields) -> tuple[Campaign, bool]:
    existing = Campaign.objects.filter(name=name).first()
    if existing:
        return existing, False
    host = _person(host_email)
    return services.campaign_create(user=host.user, campaign=Campaign(name=name, **fields)), True


def _advance(campaign: Campaign, target: str) -> None:
    order = list(Campaign.TRANSITIONS)
    while order.index(campaign.status) < order.index(target):
        services.campaign_transition(campaign=campaign, status=Campaign.TRANSITIONS[campaign.status][0])


def _invite(campaign: Campaign, inviter_email: str, contact_email: str):
    return invitation_services.invitation_create(
        user=_person(inviter_email).user, campaign=campaign, organization=_person(contact_email).organization
    )


def _add_party(campaign: Campaign, inviter_email: str, contact_email: str) -> Party:
    """A partner joins as in real life: invited by the host, accepted by its contact."""
    invitation = _invite(campaign, inviter_email, contact_email)
    return invitation_services.invitation_accept(invitation=invitation, user=_person(contact_email).user)


def _team(campaign: Campaign, team: dict[str, list[str]]) -> dict[str, Member]:
    members = {}
    for email, roles in team.items():
        member = Member.objects.filter(campaign=campaign, person=_person(email)).first() or Member(
            campaign=campaign, person=_person(email)
        )
        for role in roles:
            setattr(member, role, True)
        members[email] = save_validated(member)
    return members


@demo.register
def seed_campaigns(context: dict[str, Any]) -> None:
    today = timezone.localdate()
    webinar, created = _campaign(
        "Forecasting with real data — joint webinar",
        "priya@northwind.example",
        kind=Campaign.Kind.JOINT_WEBINAR,
        kickoff_date=today - datetime.timedelta(days=14),
        launch_date=today + datetime.timedelta(days=21),
        end_date=today + datetime.timedelta(days=45),
        goals="300 registrations, 120 attendees, 40 net-new leads matching the joint ICP.",
    )
    context["webinar"] = webinar
    if created:
        _add_party(webinar, "priya@northwind.example", "sofia@bluefin.example")
        members = _team(webinar, WEBINAR_TEAM)
        parties = {party.organization_id: party for party in webinar.parties.all()}
        channel = {"vendor": parties[context["vendor"].pk], "partner": parties[context["partner"].pk], None: None}
        for title, kind, days, status, channel_key, raci in WEBINAR_DELIVERABLES:
            deliverable = save_validated(
                Deliverable(
                    campaign=webinar,
                    title=title,
                    type=kind,
                    channel_party=channel[channel_key],
                    due_date=today + datetime.timedelta(days=days),
                )
            )
            for email, letters in raci.items():
                for letter in letters:
                    save_validated(RaciAssignment(deliverable=deliverable, member=members[email], role=letter))
            deliverable.status = status
            save_validated(deliverable)
        _advance(webinar, Campaign.Status.PLANNING)

    # A campaign between the partner and a third company: Northwind's people must not see it.
    pilot, created = _campaign(
        "Bluefin × Cobalt co-selling pilot",
        "erik@bluefin.example",
        kind=Campaign.Kind.CO_SELLING,
        kickoff_date=today - datetime.timedelta(days=7),
        launch_date=today + datetime.timedelta(days=30),
        goals="Six joint opportunities in DACH; €400k pipeline.",
    )
    context["pilot"] = pilot
    if created:
        _add_party(pilot, "erik@bluefin.example", "hana@cobalt.example")
        members = _team(
            pilot,
            {
                "erik@bluefin.example": ["is_project_lead"],
                "jonas@bluefin.example": ["is_decision_maker"],
                "hana@cobalt.example": ["is_decision_maker", "is_project_lead"],
                "ben@cobalt.example": [],
            },
        )
        plan = save_validated(
            Deliverable(
                campaign=pilot,
                title="Joint account plan",
                type=Deliverable.Type.OTHER,
                due_date=today + datetime.timedelta(days=10),
            )
        )
        save_validated(RaciAssignment(deliverable=plan, member=members["erik@bluefin.example"], role="A"))
        save_validated(RaciAssignment(deliverable=plan, member=members["ben@cobalt.example"], role="R"))
        _advance(pilot, Campaign.Status.KICKOFF)

    # Each demo login in both roles: Bluefin hosts a roundtable with Northwind as its partner…
    roundtable, created = _campaign(
        "CFO roundtable Munich — joint event",
        "jonas@bluefin.example",
        kind=Campaign.Kind.JOINT_EVENT,
        kickoff_date=today - datetime.timedelta(days=3),
        launch_date=today + datetime.timedelta(days=40),
        goals="25 CFOs from target accounts in the room; 10 follow-up meetings.",
    )
    context["roundtable"] = roundtable
    if created:
        _add_party(roundtable, "jonas@bluefin.example", "maria@northwind.example")
        _team(
            roundtable,
            {
                "jonas@bluefin.example": ["is_decision_maker"],
                "erik@bluefin.example": ["is_project_lead"],
                "maria@northwind.example": ["is_decision_maker"],
                "tom@northwind.example": ["is_project_lead"],
            },
        )
        _advance(roundtable, Campaign.Status.KICKOFF)

    # …and Northwind's invitation to Cobalt is still waiting: Hana sees the invitation, not the campaign.
    summit, created = _campaign(
        "Cloud data summit — joint event",
        "maria@northwind.example",
        kind=Campaign.Kind.JOINT_EVENT,
        launch_date=today + datetime.timedelta(days=75),
        goals="A joint track on forecasting with cloud data.",
    )
    context["summit"] = summit
    if created:
        _invite(summit, "maria@northwind.example", "hana@cobalt.example")
