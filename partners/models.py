import base64
import hashlib
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django_otp.plugins.otp_static.models import StaticDevice
from simple_history.models import HistoricalRecords

from partners.scoping import (
    ADD,
    CHANGE,
    DELETE,
    NOBODY,
    OWNER,
    VIEW,
    ScopedQuerySet,
    left_empty,
    own_company,
    related,
    sharing,
)
from partners.scoping.versions import Versioned
from partners.sso.domains import DOMAIN_CLAIMED, normalized_domain, validate_company_domain
from partners.sso.protocol import validate_issuer
from utilities.business_days import is_known_country
from utilities.validation import past_date, validate_single_line

# Files of the zone database that are not places: "localtime" is whatever the server is set to, "Factory"
# a placeholder, "posixrules" a template; posix/ and right/ are copies of the real names.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in NOT_PLACES and not name.startswith(("posix/", "right/"))
    )


def is_known_time_zone(name: str) -> bool:
    return name in _known_time_zones()


def validate_time_zone(value: str) -> None:
    if not is_known_time_zone(value):
        raise ValidationError(
            "“%(value)s” is not a known time zone. Use an IANA name such as Europe/Berlin or America/New_York.",
            params={"value": value},
            code="unknown_time_zone",
        )


PARTNER = related("partner")
PARTNER_SIDE = related("partner company")
COMPANY_ADMIN = related("admin of owner")


def _administered_by(actor) -> models.QuerySet:
    """The companies the actor's login administers (one at most)."""
    return Person.objects.filter(user_id=actor.user.pk, is_company_admin=True, is_active=True).values("organization_id")


def validate_country(value: str) -> None:
    if value and not is_known_country(value):
        raise ValidationError(
            "Unknown country code %(value)s: use the two-letter ISO code, e.g. DE or US.",
            code="unknown_country",
            params={"value": value},
        )


class SeenThroughSharing(ScopedQuerySet):
    """Companies and people: the companies a company works with, as the sharing registry answers them, include the
    company itself, so "its own or a partner's" reads as the one IN of the partners' set."""

    relations_within = {"owner": "partner"}


class OrganizationQuerySet(SeenThroughSharing):
    # A company's profile is read by the companies it shares an accepted campaign with; only it edits it.
    # (A partner's tier is not the company's own: it belongs to a vendor's relationship with it.)
    # Requiring two-factor sign-in governs the company's people: only its administrators change it.
    rules = {VIEW: OWNER | PARTNER, ADD: NOBODY, CHANGE: OWNER, DELETE: NOBODY, "govern": COMPANY_ADMIN}
    guarded_fields = {"requires_two_factor": "govern"}
    relation_words = {"admin of owner": "its own administrators"}
    action_words = {"govern": "change the two-factor requirement of"}

    def relation_q(self, relation: str, actor) -> models.Q:
        if relation == "owner":
            return models.Q(pk=actor.organization_id)
        if relation == "partner":
            return sharing.companies.q(actor.organization_id)
        if relation == "admin of owner":
            return models.Q(pk=actor.organization_id) & models.Q(pk__in=_administered_by(actor))
        return super().relation_q(relation, actor)

    def selectable_as_partner(self, user) -> "OrganizationQuerySet":
        """Companies a user may invite to a campaign: the ones they see plus those listed in the directory."""
        if user.is_superuser:
            return self.all()
        return self.filter(pk__in=self.for_user(user).values("pk")) | self.filter(listed_in_directory=True)


class Organization(Versioned):
    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    website = models.URLField(blank=True)
    ideal_customer_profile = models.TextField(
        blank=True, help_text="Who this company sells to; private to the company and its partners."
    )
    value_proposition = models.TextField(blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text="Two-letter code (e.g. DE, US): its public holidays are not counted as business days in plans.",
    )
    listed_in_directory = models.BooleanField(
        default=True,
        help_text=(
            "Listed companies can be invited to a campaign by name. "
            "Their details stay private until a campaign is shared."
        ),
    )
    requires_two_factor = models.BooleanField(
        "requires two-factor sign-in",
        default=False,
        help_text="Its people sign in with a code from an authenticator app after their password (or through "
        "single sign-on); anyone without one is sent to set it up first. Changed by the company's administrators.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _no(actor) -> bool:
    return False


def _yes(actor) -> bool:
    return True


def administered_by(actor) -> models.Q:
    """Rows of the actor's company (its `organization`), when the actor is an active administrator of it."""
    return models.Q(organization_id=actor.organization_id) & models.Q(organization_id__in=_administered_by(actor))


class PersonQuerySet(SeenThroughSharing):
    # A person's company is the server's: set to the creator's company, changed only by the operator
    # (it decides which company a login belongs to). So is the link to a login, and so are the administrator role
    # and being active: each company governs its own people through its administrators ("govern": invite a
    # colleague with a login, grant or remove the role, deactivate and reactivate), never a partner's.
    # People are kept (their names stay in the history of what they did); a leaver is deactivated.
    rules = {VIEW: OWNER | PARTNER, ADD: OWNER, CHANGE: OWNER, DELETE: NOBODY, "govern": COMPANY_ADMIN}
    server_owned = {
        "organization": own_company,
        "user": left_empty,
        "is_company_admin": _no,
        "is_active": _yes,
        "deactivated_at": left_empty,
    }
    label_related = ("organization",)

    def relation_q(self, relation: str, actor) -> models.Q:
        if relation == "owner":
            return models.Q(organization_id=actor.organization_id)
        if relation == "partner":
            return sharing.people.q(actor.organization_id)
        if relation == "admin of owner":
            return administered_by(actor)
        return super().relation_q(relation, actor)

    def update(self, **kwargs) -> int:
        # A person moved to another company by a bulk change, as by a save (partners.acquaintances): who sees them
        # follows at once.
        if not {"organization", "organization_id"} & kwargs.keys():
            return super().update(**kwargs)
        before = dict(self.values_list("pk", "organization_id"))
        updated = super().update(**kwargs)
        after = Person.objects.filter(pk__in=before).values_list("organization_id", flat=True)
        sharing.people.refresh({*before.values(), *after}, before.keys())
        return updated

    def active(self) -> "PersonQuerySet":
        return self.filter(is_active=True)

    def for_new_work(self) -> "PersonQuerySet":
        # A deactivated person keeps their history but drops out of pickers.
        return self.active()

    def company_admins(self, organization_id: int) -> "PersonQuerySet":
        return self.filter(organization_id=organization_id, is_company_admin=True, is_active=True)


class Person(Versioned):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    full_name = models.CharField(max_length=200, validators=[validate_single_line])
    email = models.EmailField()
    job_title = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], help_text="IANA name, e.g. Europe/Berlin."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The login of this person; a login belongs to exactly one company through its person.",
    )
    is_company_admin = models.BooleanField(
        "company administrator",
        default=False,
        help_text="Invites colleagues, grants this role, deactivates and reactivates the company's people.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="A deactivated person cannot log in, gets no reminders and is offered for no new work; their "
        "history stays.",
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        # A company's people in name order (its choices, its list) read through this, not by sorting all of them.
        indexes = [
            models.Index(fields=["organization", "full_name", "id"], name="person_company_by_name"),
            # Everyone a company sees, in name order: a hub's first page walks this, probing who it sees, rather
            # than sorting the 60,000 people it sees at 100,000 campaigns.
            models.Index(fields=["full_name", "id"], name="person_by_name"),
        ]
        constraints = [
            # Unique within a company only: a check across companies would tell one company that another
            # company knows this address. (A login's username, the address, is unique on its own.)
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                name="person_email_unique_per_company_ci",
                violation_error_message="A person with this e-mail address already exists in your company.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.organization})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Acquaintance(models.Model):
    """A person a company sees (its own people, and those it works with on a shared campaign), as the sharing
    registry's sources say: stored and kept by `sharing.people` (see `StoredSight`)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "person"], name="acquaintance_once")]

    def __str__(self) -> str:
        return f"{self.person_id} seen by {self.organization_id}"


class KnownCompany(models.Model):
    """A company another company sees (itself, and those it shares a campaign with), as the sharing registry's
    sources say: stored and kept by `sharing.companies` (see `StoredSight`)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    company = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "company"], name="known_company_once")]

    def __str__(self) -> str:
        return f"{self.company_id} seen by {self.organization_id}"


VENDOR = related("vendor")


class PartnerRelationshipQuerySet(ScopedQuerySet):
    # The vendor decides whom it counts as a partner and at which tier; the partner sees where it stands.
    rules = {VIEW: VENDOR | PARTNER_SIDE, ADD: VENDOR, CHANGE: VENDOR, DELETE: VENDOR}
    server_owned = {"vendor": own_company, "partner": None}

    def relation_q(self, relation: str, actor) -> models.Q:
        if relation == "vendor":
            return models.Q(vendor_id=actor.organization_id)
        if relation == "partner company":
            return models.Q(partner_id=actor.organization_id)
        return super().relation_q(relation, actor)


class PartnerRelationship(Versioned):
    """A vendor's relationship with a partner company: the tier is the vendor's view of that partner."""

    class Tier(models.IntegerChoices):
        TIER_1 = 1, "Tier 1"
        TIER_2 = 2, "Tier 2"
        TIER_3 = 3, "Tier 3"

    vendor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="partner_relationships")
    partner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="vendor_relationships")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True)
    since = models.DateField(null=True, blank=True, validators=[past_date], help_text="When the partnership began.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PartnerRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["vendor__name", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "partner"],
                name="partner_relationship_once",
                violation_error_message="This company is already one of your partners.",
            ),
            models.CheckConstraint(
                condition=~models.Q(vendor=models.F("partner")),
                name="partner_relationship_not_self",
                violation_error_message="A company cannot be its own partner.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_tier_display() or 'no tier'}) for {self.vendor}"


class IdempotentRequest(models.Model):
    """A create or action sent with an `Idempotency-Key` (API) or a one-time form token (admin add forms), and
    the answer it got: the same key again within the window gets that answer instead of a second row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while it is being answered.")
    # JSON text, not jsonb: a refusal may echo what was sent, and jsonb refuses a NUL character (\u0000).
    answer = models.TextField(blank=True, help_text="The answer's body, as JSON.")
    location = models.CharField(max_length=500, blank=True, help_text="Where an admin form's save led.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "idempotent request"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_once_per_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in progress'})"


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: 16 characters of its SHA-256 (the column otp_static gives a code). A code
    carries 80 random bits (`two_factor.recovery_codes_replace`), so the digest cannot be turned back into one."""
    normalized = "".join(code.split()).replace("-", "").lower()
    return base64.b32encode(hashlib.sha256(normalized.encode()).digest()).decode().lower()[:16]


class RecoveryCodes(StaticDevice):
    """A person's single-use recovery codes: django-otp's static device, whose codes are stored as digests, never
    readable (otp_static itself keeps them in plain text). A code that verifies is deleted."""

    class Meta:
        proxy = True
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def verify_token(self, token: str) -> bool:
        return super().verify_token(recovery_code_digest(token))


class SingleSignOnQuerySet(ScopedQuerySet):
    # A company's sign-in set-up is its administrators' business alone (and the operator's): a partner never sees
    # it, nor do colleagues who do not govern the company's people.
    rules = {VIEW: COMPANY_ADMIN, ADD: COMPANY_ADMIN, CHANGE: COMPANY_ADMIN, DELETE: COMPANY_ADMIN}
    server_owned = {"organization": own_company}
    label_related = ("organization",)

    def relation_q(self, relation: str, actor) -> models.Q:
        if relation == "admin of owner":
            return administered_by(actor)
        return super().relation_q(relation, actor)


class IdentityProvider(Versioned):
    """A company's OpenID Connect provider (Google Workspace, Microsoft Entra ID, Okta…): its people whose
    addresses are of the company's e-mail domains sign in through it."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name="company",
        error_messages={"unique": "Your company has connected an identity provider already: change that one."},
    )
    issuer = models.URLField(
        max_length=500,
        validators=[validate_issuer],
        help_text="The provider's issuer address, e.g. https://accounts.google.com or "
        "https://login.microsoftonline.com/{tenant}/v2.0.",
    )
    client_id = models.CharField("client ID", max_length=255, validators=[validate_single_line])
    # Never shown back nor returned by the API, nor kept in the history: forms only replace it.
    client_secret = models.CharField(max_length=500, validators=[validate_single_line])
    is_enabled = models.BooleanField(
        "people sign in through it", default=True, help_text="Turned off, your people sign in with their passwords."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["client_secret"])
    objects = SingleSignOnQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name"]
        verbose_name = "identity provider"

    def __str__(self) -> str:
        return f"{self.organization}: {self.issuer}"


class SignOnDomain(Versioned):
    """An e-mail domain a company claims: its addresses sign in through the company's identity provider, and
    through no other company's."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sign_on_domains", verbose_name="company"
    )
    domain = models.CharField(
        "e-mail domain", max_length=253, validators=[validate_company_domain], help_text="e.g. northwind.example"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = SingleSignOnQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]
        verbose_name = "e-mail domain"
        constraints = [
            models.UniqueConstraint(
                Lower("domain"),
                name="sign_on_domain_claimed_once",
                violation_error_message=DOMAIN_CLAIMED,
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        self.domain = normalized_domain(self.domain)
        claimed = SignOnDomain.objects.filter(domain=self.domain).exclude(pk=self.pk).first()
        if claimed is not None:
            mine = claimed.organization_id == self.organization_id
            raise ValidationError({"domain": "Your company claims this domain already." if mine else DOMAIN_CLAIMED})
