"""Joining by consent: adding a company to a campaign invites it; it becomes a party only once it accepts."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, F, Q, When
from simple_history.models import HistoricalRecords

from campaigns.models.core import HOST, PARTY, Campaign, CampaignChildQuerySet
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, organization_id_of, own_person, related
from partners.scoping.versions import Versioned

INVITEE = related("invitee")
# The host's own words, e-mailed to the invited company as plain text: a few lines, not a newsletter.
MESSAGE_MAX_CHARS = 1000
# What an invitation by e-mail names is checked on its own, before anything is looked up, so a refusal never
# depends on whether the address or the name is in the tracker: one line each, and an address no longer than a
# login's name (150) and a name no longer than a company's or a person's (200).
INVITED_NAME_MAX_CHARS = 200
CONTACT_EMAIL_MAX_CHARS = 150


class InvitationQuerySet(CampaignChildQuerySet):
    # The campaign's parties and the invited company see an invitation; the host sends and withdraws it;
    # only the invited company answers it.
    rules = {VIEW: PARTY | INVITEE, ADD: HOST, CHANGE: HOST, DELETE: NOBODY, "answer": INVITEE}
    server_owned = {"organization": None, "invited_by": own_person}

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "invitee":
            return Q(organization_id=actor.organization_id)
        return super().relation_q(relation, actor)

    def pending(self) -> "InvitationQuerySet":
        return self.filter(status=Invitation.Status.PENDING)

    def to_company_as_seen_by(self, organization, user) -> "InvitationQuerySet":
        """Invitations to `organization`, as `user` may find them by it: one by e-mail only once accepted (or by
        that company itself, or the operator), so filtering by a company tells the host nothing of whose address
        it invited."""
        found = self.filter(organization=organization)
        if user.is_superuser:
            return found
        return found.filter(
            Q(contact__isnull=True) | Q(status=Invitation.Status.ACCEPTED) | Q(organization_id=organization_id_of(user))
        )

    def with_invitee_name(self) -> "InvitationQuerySet":
        """Each invitation with `invitee_name_sql`: the name shown to the host (see `Invitation.invitee_name`)."""
        by_email_unanswered = Q(contact__isnull=False) & ~Q(status=Invitation.Status.ACCEPTED)
        return self.annotate(
            invitee_name_sql=Case(When(by_email_unanswered, then=F("invited_name")), default=F("organization__name"))
        )


class Invitation(Versioned):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="invitations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="campaign_invitations", verbose_name="company"
    )
    invited_name = models.CharField(
        "invited as",
        max_length=INVITED_NAME_MAX_CHARS,
        blank=True,
        editable=False,
        help_text="The company's name as the host gave it when inviting.",
    )
    message = models.TextField(
        max_length=MESSAGE_MAX_CHARS,
        blank=True,
        validators=[MaxLengthValidator(MESSAGE_MAX_CHARS)],
        help_text="A few words for the invited company, e-mailed to them as plain text.",
    )
    contact = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The person invited by e-mail, when the company was new to the tracker.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    invited_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    reason = models.CharField(max_length=500, blank=True, editable=False)

    history = HistoricalRecords()
    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Invitations by name only: one by e-mail names an address, and refusing it because its company is
            # invited already would tell the host whose address it is.
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(status="pending", contact__isnull=True),
                name="invitation_one_pending_per_company",
                violation_error_message="This company already has an invitation to this campaign waiting.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitee_name} to {self.campaign}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_by_email(self) -> bool:
        return self.contact_id is not None

    @property
    def invitee_name(self) -> str:
        """The invited company as the host may know it: an invitation by e-mail shows the name the host gave until
        it is accepted, so an address that belongs to a company already in the tracker is never revealed (the
        invitation went to that company, which answers by consent)."""
        if self.is_by_email and self.status != self.Status.ACCEPTED and self.invited_name:
            return self.invited_name
        return self.organization.name
