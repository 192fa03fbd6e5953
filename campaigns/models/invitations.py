"""Joining by consent: adding a company to a campaign invites it; it becomes a party only once it accepts."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models.core import HOST, PARTY, Campaign, CampaignChildQuerySet
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, own_person, related
from partners.scoping.versions import Versioned

INVITEE = related("invitee")


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
    message = models.TextField(max_length=2000, blank=True, help_text="A few words for the invited company.")
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
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_company",
                violation_error_message="This company already has an invitation to this campaign waiting.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} to {self.campaign}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
