from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.models import Organization, Person
from partners.scoping import (
    ADD,
    CHANGE,
    DELETE,
    NOBODY,
    OPEN,
    OWNER,
    VIEW,
    ScopedQuerySet,
    related,
    sharing,
    while_open,
)
from partners.scoping.versions import Versioned
from utilities.fingerprints import content_fingerprint
from utilities.validation import validate_single_line, work_date

PARTY = related("party")  # the company takes part in the row's campaign (an accepted party that has not left)
HOST = related("host")  # the company hosts the row's campaign
CHANNEL = related("channel")  # the deliverable goes out on the company's channel (or has none and it hosts)

# Shared work: every party edits it, while the campaign is open (a closed or cancelled one is read-only).
SHARED = while_open({VIEW: PARTY, ADD: PARTY, CHANGE: PARTY, DELETE: PARTY})
# A company's own part of a campaign: every party reads it, only the company it belongs to writes it (while open).
OWN_PART = while_open({VIEW: PARTY, ADD: PARTY & OWNER, CHANGE: PARTY & OWNER, DELETE: PARTY & OWNER})
# What a company writes about a campaign after it ends (what it learned, for the results report): not closed with it.
OWN_PART_AFTER = {VIEW: PARTY, ADD: PARTY & OWNER, CHANGE: PARTY & OWNER, DELETE: PARTY & OWNER}
# Records a campaign keeps once made (answered, ended or switched off, never deleted).
SHARED_KEPT = {**SHARED, DELETE: NOBODY}
OWN_PART_KEPT = {**OWN_PART, DELETE: NOBODY}
# Actions that give a company's word on a campaign (agreeing to its KPIs…): the rule says which company; of its
# people, only its decision makers on the campaign give its word, or any of them while it has named none.
COMPANY_WORD_ACTIONS = frozenset({"agree"})
# Actions the rule gives a company but, of its people, only its decision makers and project leads on the campaign
# take: inviting a company new to the tracker creates a login and e-mails an address nobody else vouched for.
CAMPAIGN_LEAD_ACTIONS = frozenset({"invite_new_company"})


def campaign_ids_of(organization_id: int) -> models.QuerySet:
    """Ids of the campaigns an organization takes part in (a subquery)."""
    return Party.objects.filter(organization_id=organization_id).values("campaign_id")


# A company that left a campaign (or was removed) keeps its rows there as history, team members included: what
# goes out about a campaign (reminders, notices, digest lines, webhook events) is for current parties only.
def company_takes_part(campaign: str, organization: str) -> Exists:
    """The company is a current party of the campaign (each a path to its id from the outer row): an EXISTS on
    the campaign's current parties, for set-based queries."""
    return Exists(Party.objects.filter(campaign_id=OuterRef(campaign), organization_id=OuterRef(organization)))


class CampaignChildQuerySet(ScopedQuerySet):
    """Rows that belong to one campaign: what each party may do with them is declared in `rules`.

    `campaign_path` leads to the campaign, `owner_path` to the company a row belongs to (for rules that
    name the "owner"). The row's link to its campaign is fixed once created.
    """

    campaign_path = "campaign"
    owner_path = ""
    rules = SHARED
    server_owned = {"campaign": None}
    row_conditions = {"open": "while its campaign is open"}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "server_owned" in cls.__dict__:
            declared = cls.__dict__["server_owned"]
        else:  # inherited, less the parent's own link to its campaign
            parent = cls.__mro__[1]
            declared = {k: v for k, v in parent.server_owned.items() if k != parent.campaign_path.split("__")[0]}
        head = cls.campaign_path.split("__")[0]
        cls.server_owned = {**({head: None} if head != "pk" else {}), **declared}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "party":
            return Q(**{f"{self.campaign_path}__in": campaign_ids_of(actor.organization_id)})
        if relation == "host":
            # Correlated, not `IN (…)`: a host check is OR-ed with others ("the host or the row's owner"), and
            # there PostgreSQL cannot make `IN` a join; it read every campaign the company hosts to check the
            # rows of one page (3 ms at 10,000 campaigns, growing with them).
            hosts = Party.objects.filter(
                campaign_id=OuterRef(self.campaign_path), organization_id=actor.organization_id, role=Party.Role.HOST
            )
            return Q(Exists(hosts))
        if relation == "owner" and self.owner_path:
            return Q(**{self.owner_path: actor.organization_id})
        if relation == "open":
            status = "status" if self.campaign_path == "pk" else f"{self.campaign_path}__status"
            return ~Q(**{f"{status}__in": Campaign.CLOSED_STATUSES})
        return super().relation_q(relation, actor)

    def person_refusal(self, actor, obj, action: str) -> str | None:
        if action in CAMPAIGN_LEAD_ACTIONS:
            return campaign_lead_refusal(campaign_id_of(obj, self.campaign_path), actor.user, action)
        if action not in COMPANY_WORD_ACTIONS:
            return None
        organization = Organization.objects.get(pk=actor.organization_id)
        word = CompanyWord.of(campaign_id_of(obj, self.campaign_path), organization)
        return word.refusal_to(Person.objects.filter(user_id=actor.user.pk).first(), action)


def campaign_lead_refusal(campaign_id: int, user, action: str) -> str | None:
    """Why `user` may not take a lead's action on the campaign (not a decision maker or project lead of their
    company on its team), in words; None when they may."""
    leads = Member.objects.filter(campaign_id=campaign_id, person__user=user).filter(
        Q(is_decision_maker=True) | Q(is_project_lead=True)
    )
    if leads.exists():
        return None
    verb = CampaignQuerySet.action_words.get(action, action)
    return (
        f"Only a decision maker or project lead of your company on this campaign's team may {verb} this campaign; "
        "ask one of them, or have your company name you one on the team."
    )


def campaign_id_of(row: models.Model, campaign_path: str) -> int:
    """The id of the campaign a row belongs to, along its queryset's `campaign_path` ("round__campaign")."""
    if campaign_path == "pk":
        return row.pk
    *through, last = campaign_path.split("__")
    for name in through:
        row = getattr(row, name)
    return getattr(row, f"{last}_id")


class KeptRecordQuerySet(CampaignChildQuerySet):
    """Shared records a campaign keeps (its questionnaire, reporting plan, meeting series): edited, never deleted."""

    rules = SHARED_KEPT


class CampaignQuerySet(CampaignChildQuerySet):
    # The host decides the campaign's identity and who takes part; any party may leave. Campaigns are closed
    # or cancelled, never deleted (their records are kept).
    campaign_path = "pk"
    # Inviting a company new to the tracker is the host's, and of its people its campaign leads' (see
    # CAMPAIGN_LEAD_ACTIONS).
    # Each party goes through its own first hour (what the campaign asks of it), on a page of the campaign.
    rules = {
        VIEW: PARTY,
        ADD: HOST,
        CHANGE: HOST,
        DELETE: NOBODY,
        "leave": PARTY,
        "invite_new_company": HOST,
        "first_hour": PARTY,
    }
    action_words = {
        "invite_new_company": "invite a company new to the tracker to",
        "first_hour": "go through the first hour of",
    }
    server_owned = {}

    def open(self) -> "CampaignQuerySet":
        return self.exclude(status__in=Campaign.CLOSED_STATUSES)


class Campaign(Versioned):
    class Kind(models.TextChoices):
        JOINT_WEBINAR = "joint_webinar", "Joint webinar"
        JOINT_EVENT = "joint_event", "Joint event"
        CO_BRANDED_CONTENT = "co_branded_content", "Co-branded content / landing page"
        CO_SELLING = "co_selling", "Co-selling program"
        MULTI_PARTNER = "multi_partner", "Multi-partner program"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        KICKOFF = "kickoff", "Kickoff"
        PLANNING = "planning", "Planning"
        EXECUTION = "execution", "Execution"
        REPORTING = "reporting", "Reporting"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    # One-off co-marketing kinds, measured by marketing metrics rather than revenue.
    CO_MARKETING_KINDS = (Kind.JOINT_WEBINAR, Kind.JOINT_EVENT, Kind.CO_BRANDED_CONTENT)
    CLOSED_STATUSES = (Status.CLOSED, Status.CANCELLED)
    TRANSITIONS = {
        Status.DRAFT: (Status.KICKOFF, Status.CANCELLED),
        Status.KICKOFF: (Status.PLANNING, Status.CANCELLED),
        Status.PLANNING: (Status.EXECUTION, Status.CANCELLED),
        Status.EXECUTION: (Status.REPORTING, Status.CANCELLED),
        Status.REPORTING: (Status.CLOSED, Status.CANCELLED),
        Status.CLOSED: (),
        Status.CANCELLED: (),
    }

    name = models.CharField(max_length=200, validators=[validate_single_line])
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.JOINT_WEBINAR)
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Draft → Kickoff → Planning → Execution → Reporting → Closed; Cancelled from any open state.",
    )
    kickoff_date = models.DateField(null=True, blank=True, validators=[work_date])
    launch_date = models.DateField(null=True, blank=True, validators=[work_date], help_text="Launch or event date.")
    end_date = models.DateField(null=True, blank=True, validators=[work_date])
    goals = models.TextField(blank=True)
    template = models.ForeignKey(
        "campaigns.CampaignTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The template the plan was made from.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Lists page through visible campaigns in this order: read from the index, not sorted per page.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="campaign_newest_first_idx"),
            # "My work" reads a hub's campaigns by launch date until a panel is full (worst_first_candidates).
            models.Index(fields=["launch_date", "id"], name="campaign_launch_idx"),
            # "Recently closed" on My work: the few campaigns closed lately, not a scan of every campaign.
            models.Index(fields=["status", "updated_at"], name="campaign_status_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(launch_date__isnull=True)
                | Q(kickoff_date__isnull=True)
                | Q(launch_date__gte=F("kickoff_date")),
                name="campaign_launch_not_before_kickoff",
                violation_error_message="The launch date cannot be before the kickoff date.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(launch_date__isnull=True) | Q(end_date__gte=F("launch_date")),
                name="campaign_end_not_before_launch",
                violation_error_message="The end date cannot be before the launch date.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(kickoff_date__isnull=True) | Q(end_date__gte=F("kickoff_date")),
                name="campaign_end_not_before_kickoff",
                violation_error_message="The end date cannot be before the kickoff date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = getattr(instance, "status", None)
        return instance

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def allowed_next_statuses(self) -> tuple[str, ...]:
        return self.TRANSITIONS[self._stored_status or self.status]

    def clean(self) -> None:
        stored = getattr(self, "_stored_status", None)
        if stored and self.status != stored and self.status not in self.TRANSITIONS[stored]:
            allowed = ", ".join(str(self.Status(s).label) for s in self.TRANSITIONS[stored]) or "nothing (it is final)"
            raise ValidationError(
                {
                    "status": (
                        f"A campaign cannot move from {self.Status(stored).label} to {self.Status(self.status).label}. "
                        f"From {self.Status(stored).label} it can move to: {allowed}."
                    )
                }
            )


class PartyQuerySet(CampaignChildQuerySet):
    # A party joins by accepting an invitation; it edits its own row (point of contact); the host removes a
    # partner and a partner leaves (both are "delete", done by a service that keeps the row as history).
    owner_path = "organization"
    rules = {VIEW: PARTY, ADD: NOBODY, CHANGE: PARTY & OWNER, DELETE: PARTY & (HOST | OWNER)}
    server_owned = {"organization": None, "role": None}
    own_choices = ("point_of_contact",)
    label_related = ("organization",)

    def update(self, **kwargs) -> int:
        # A bulk change of who takes part, or of a contact, changes who sees whom, as a save does (see receivers).
        if not SEEING_FIELDS[Party] & kwargs.keys():
            return super().update(**kwargs)
        before = list(self.values_list("campaign_id", "organization_id", "point_of_contact_id"))
        updated = super().update(**kwargs)
        who_sees_whom_refresh(
            {campaign for campaign, _, _ in before},
            also_companies={company for _, company, _ in before},
            also_people={contact for _, _, contact in before if contact},
        )
        return updated


class CurrentPartyManager(models.Manager.from_queryset(PartyQuerySet)):
    """Parties that have not left: every rule and check reads these; the departed stay as history."""

    def get_queryset(self):
        return super().get_queryset().filter(left_at__isnull=True)


class Party(Versioned):
    class Role(models.TextChoices):
        HOST = "host", "Host"
        PARTNER = "partner", "Partner"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="parties")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="campaign_parties")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTNER)
    point_of_contact = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The single point of contact of this company for the campaign.",
    )
    joined_at = models.DateTimeField(default=timezone.now, editable=False)
    left_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CurrentPartyManager()
    all_objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["campaign_id", "role", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                name="party_once_per_campaign",
                violation_error_message="This company already takes part in the campaign.",
            ),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(role="host"),
                name="party_one_host_per_campaign",
                violation_error_message="A campaign has exactly one host company; make the other one a partner.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    def clean(self) -> None:
        if (
            self.point_of_contact_id
            and self.organization_id
            and self.point_of_contact.organization_id != self.organization_id
        ):
            raise ValidationError(
                {"point_of_contact": f"The point of contact must be a person of {self.organization}."}
            )


class MemberQuerySet(CampaignChildQuerySet):
    # Each company staffs its own side of the team.
    owner_path = "person__organization"
    rules = OWN_PART
    server_owned = {"person": None}
    own_choices = ("person",)
    label_related = ("person__organization",)

    def with_role(self, role_field: str) -> "MemberQuerySet":
        return self.filter(**{role_field: True})


class Member(Versioned):
    """A person on a campaign team, with the stakeholder roles they hold for it."""

    # The stakeholders each company names per campaign (DOMAIN.md, failure 1).
    ROLE_FIELDS = {
        "is_decision_maker": "Decision maker",
        "is_budget_owner": "Budget owner",
        "is_strategic_lead": "Strategic lead",
        "is_process_expert": "Process & resourcing expert",
        "is_project_lead": "Project lead",
    }

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="campaign_memberships")
    is_decision_maker = models.BooleanField("decision maker", default=False)
    is_budget_owner = models.BooleanField("budget owner", default=False)
    is_strategic_lead = models.BooleanField("strategic lead", default=False)
    is_process_expert = models.BooleanField("process & resourcing expert", default=False)
    is_project_lead = models.BooleanField("project lead", default=False)

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "person__organization__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                name="member_once_per_campaign",
                violation_error_message="This person is already on the campaign team.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def roles(self) -> list[str]:
        return [label for field, label in self.ROLE_FIELDS.items() if getattr(self, field)]

    def clean(self) -> None:
        if not (self.campaign_id and self.person_id):
            return
        party_orgs = Party.objects.filter(campaign_id=self.campaign_id).values_list("organization_id", flat=True)
        if self.person.organization_id not in set(party_orgs):
            raise ValidationError(
                {
                    "person": f"{self.person.full_name} works for {self.person.organization}, which is not a party "
                    "of this campaign. Add the company as a party first."
                }
            )


# The fields of a party and a team member whose change changes which people each company sees.
SEEING_FIELDS = {
    Party: frozenset(
        {
            "campaign",
            "campaign_id",
            "organization",
            "organization_id",
            "left_at",
            "point_of_contact",
            "point_of_contact_id",
        }
    ),
    Member: frozenset({"campaign", "campaign_id", "person", "person_id"}),
}


def who_sees_whom_refresh(
    campaign_ids: Iterable[int], *, also_companies: Iterable[int] = (), also_people: Iterable[int] = ()
) -> None:
    """Store again which people and companies each company of these campaigns sees through them (`sharing`), after
    a change to their parties or teams; `also_*`: companies and people the change took out of them. The campaigns
    are locked first: two changes to one campaign at once would each refresh from a state without the other."""
    campaign_ids = sorted(set(campaign_ids))
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(pk__in=campaign_ids).order_by("pk").values_list("pk"))
        parties = Party.all_objects.filter(campaign_id__in=campaign_ids)
        companies = {*parties.values_list("organization_id", flat=True), *also_companies}
        people = {
            *Member.objects.filter(campaign_id__in=campaign_ids).values_list("person_id", flat=True),
            *parties.filter(point_of_contact__isnull=False).values_list("point_of_contact_id", flat=True),
            *also_people,
        }
        sharing.people.refresh(companies, people)
        sharing.companies.refresh(companies, companies)


def _names(people: Iterable[Person]) -> str:
    names = [person.full_name for person in people]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class CompanyWord:
    """Who gives a company's word on a campaign (agrees to its KPIs for it…): its decision makers on the campaign
    team, or, while it has named none, any of its people. The one place this is decided: the rules' person-level
    condition (`CampaignChildQuerySet.person_refusal`) and the services ask it."""

    organization: Organization
    decision_makers: tuple[Person, ...]

    @classmethod
    def of(cls, campaign_id: int, organization: Organization) -> "CompanyWord":
        makers = Person.objects.filter(
            organization=organization,
            campaign_memberships__campaign_id=campaign_id,
            campaign_memberships__is_decision_maker=True,
        ).order_by("full_name", "pk")
        return cls(organization, tuple(makers))

    @classmethod
    def from_members(cls, organization: Organization, members: Iterable["Member"]) -> "CompanyWord":
        """From a campaign's members already loaded (with their people): no query."""
        makers = sorted(
            (m.person for m in members if m.is_decision_maker and m.person.organization_id == organization.pk),
            key=lambda person: (person.full_name, person.pk),
        )
        return cls(organization, tuple(makers))

    def given_by(self, person: Person | None) -> bool:
        if person is None or person.organization_id != self.organization.pk:
            return False
        return not self.decision_makers or person.pk in {maker.pk for maker in self.decision_makers}

    @property
    def who(self) -> str:
        """Who may give the word, in words: "its decision maker Maria Keller", or "any of its people (…)"."""
        if not self.decision_makers:
            return "any of its people (it has named no decision maker on this campaign)"
        plural = "s" if len(self.decision_makers) > 1 else ""
        return f"its decision maker{plural} {_names(self.decision_makers)}"

    def refusal_to(self, person: Person | None, verb: str) -> str | None:
        """Why `person` may not `verb` for the company, naming who may; None when they may."""
        if self.given_by(person):
            return None
        if not self.decision_makers:
            return f"Only a person of {self.organization} may {verb} for it."
        if len(self.decision_makers) == 1:
            return (
                f"Only {self.decision_makers[0].full_name}, the decision maker of {self.organization} on this "
                f"campaign, may {verb} for it."
            )
        return (
            f"Only the decision makers of {self.organization} on this campaign ({_names(self.decision_makers)}) "
            f"may {verb} for it."
        )


class DeliverableQuerySet(CampaignChildQuerySet):
    # Shared work, but publishing is the channel owner's call: only that company approves or publishes it,
    # changes its review flags or moves it to another channel.
    rules = {**SHARED, "publish": PARTY & CHANNEL & OPEN}
    guarded_fields = {"needs_signoff": "publish", "needs_legal_review": "publish", "channel_party": "publish"}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "channel":
            return Q(channel_party__organization_id=actor.organization_id) | (
                Q(channel_party__isnull=True) & self.relation_q("host", actor)
            )
        return super().relation_q(relation, actor)

    @classmethod
    def actions_for_changes(cls, changes: dict) -> set[str]:
        publishing = changes.get("status") in (Deliverable.Status.APPROVED, Deliverable.Status.PUBLISHED)
        return super().actions_for_changes(changes) | ({"publish"} if publishing else set())


class Deliverable(Versioned):
    class Type(models.TextChoices):
        LANDING_PAGE = "landing_page", "Landing page"
        REGISTRATION_FORM = "registration_form", "Registration form"
        INVITATION_EMAIL = "invitation_email", "Invitation e-mail"
        SOCIAL_POSTS = "social_posts", "Social posts"
        SLIDE_DECK = "slide_deck", "Slide deck"
        SPEAKER_PREP = "speaker_prep", "Speaker prep / dry run"
        LIVE_EVENT = "live_event", "The live event"
        NURTURE = "nurture", "Follow-up nurture"
        RESULTS_REPORT = "results_report", "Results report"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    DONE_STATUSES = (Status.PUBLISHED, Status.CANCELLED)
    # What a sign-off or legal review approves: what the audience gets (the title it is announced by and the
    # page, file or post the link leads to). Planning fields (type, channel, due date, status, review flags)
    # change without asking the reviewers again. Changing this list changes every fingerprint: re-fingerprint
    # the standing approvals in the same migration.
    REVIEWED_FIELDS = ("title", "link")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="deliverables")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    type = models.CharField(max_length=32, choices=Type.choices, default=Type.OTHER)
    channel_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channel_deliverables",
        help_text="The company whose channel (web, social, e-mail) it goes out on.",
    )
    due_date = models.DateField(null=True, blank=True, validators=[work_date])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    link = models.URLField(blank=True)
    needs_signoff = models.BooleanField(
        default=False, help_text="Approvers from the kickoff questionnaire and the Accountable must sign it off."
    )
    needs_legal_review = models.BooleanField(
        default=False, help_text="Each company's legal reviewer (from its kickoff answers) must approve it."
    )
    is_pinned = models.BooleanField(
        "date pinned", default=False, help_text="Keep this due date when the event date moves."
    )
    template_item = models.ForeignKey(
        "campaigns.TemplateDeliverable",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The template line it was planned from (whose roles fill its RACI).",
    )

    history = HistoricalRecords()
    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        # Lists in their order: a hub's page is read through it, not sorted out of every deliverable it sees.
        indexes = [models.Index(fields=["due_date", "id"], name="deliverable_due_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.channel_party_id and self.campaign_id and self.channel_party.campaign_id != self.campaign_id:
            errors["channel_party"] = "The channel must be a party of this campaign."
        if self.is_under_way and not self._has_responsible():
            errors["status"] = (
                "Assign at least one Responsible (and save) before moving this deliverable out of “Not started”."
            )
        # Through the relation, not an import: the sign-off model builds on this module.
        signoff_requests = self._meta.get_field("signoff_requests").related_model.objects
        if "status" not in errors and (blocker := signoff_requests.blockers_of(self)):
            errors["status"] = blocker
        if "status" not in errors and self.goes_live_without_agreed_lead_terms():
            errors["status"] = (
                "The lead-sharing terms are not agreed yet: every company agrees them (with the KPIs) before the "
                "registration form is approved or published."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_under_way(self) -> bool:
        return self.status not in (self.Status.NOT_STARTED, self.Status.CANCELLED)

    def goes_live_without_agreed_lead_terms(self) -> bool:
        """A registration form moving to Approved or Published while no round has pinned lead-sharing terms."""
        return (
            self.type == self.Type.REGISTRATION_FORM
            and self.status in (self.Status.APPROVED, self.Status.PUBLISHED)
            and {"status", "type"} & set(self.changed_fields())
            and self.campaign_id is not None
            and not self.campaign.kpi_rounds.filter(locked_at__isnull=False, agreed_lead_terms__isnull=False).exists()
        )

    def reviewed_content(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.REVIEWED_FIELDS}

    def content_fingerprint(self) -> str:
        return content_fingerprint(self.reviewed_content())

    @classmethod
    def describe_content(cls, content: Mapping[str, str]) -> str:
        """Reviewed content in words: 'title “Spring webinar”, link “https://…”'."""
        # In the declared order: PostgreSQL's jsonb keeps a snapshot's keys in an order of its own.
        return ", ".join(
            f"{cls._meta.get_field(name).verbose_name} {_worded(content[name])}"
            for name in cls.REVIEWED_FIELDS
            if name in content
        )

    def content_changes(self, since: Mapping[str, str]) -> list[str]:
        """What changed from the reviewed content `since` to now: ['title “Old” → “New”', …]."""
        now = self.reviewed_content()
        return [
            f"{self._meta.get_field(name).verbose_name} {_worded(since.get(name))} → {_worded(value)}"
            for name, value in now.items()
            if since.get(name, "") != value
        ]

    def ensure_keeps_a_responsible(self, remaining_roles: Iterable[str]) -> None:
        """Refuse to leave a deliverable under way without a Responsible (removing assignments)."""
        if self.is_under_way and RaciAssignment.Role.RESPONSIBLE not in set(remaining_roles):
            raise ValidationError(
                "A deliverable under way needs at least one Responsible; assign another Responsible first."
            )

    def _has_responsible(self) -> bool:
        return self.pk is not None and self.raci.filter(role=RaciAssignment.Role.RESPONSIBLE).exists()


def _worded(value: str | None) -> str:
    return f"“{value}”" if value else "(none)"


class RaciAssignmentQuerySet(CampaignChildQuerySet):
    # Shared: any party assigns its own people, and both may assign across companies.
    campaign_path = "deliverable__campaign"


class RaciAssignment(Versioned):
    class Role(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="raci")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="raci_assignments")
    role = models.CharField(max_length=1, choices=Role.choices)

    history = HistoricalRecords()
    objects = RaciAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "RACI assignment"
        ordering = ["deliverable_id", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=Q(role="A"),
                name="raci_one_accountable_per_deliverable",
                violation_error_message="This deliverable already has an Accountable; a deliverable has exactly one.",
            ),
            models.UniqueConstraint(
                fields=["deliverable", "member", "role"],
                name="raci_person_once_per_role",
                violation_error_message="This person already has this role on the deliverable.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.member.person.full_name}"

    def clean(self) -> None:
        if self.deliverable_id and self.member_id and self.member.campaign_id != self.deliverable.campaign_id:
            raise ValidationError({"member": "Only members of this campaign's team can be assigned."})
