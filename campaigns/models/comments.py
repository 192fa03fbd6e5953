"""Comments on the work itself (a deliverable, a flag, a KPI, a meeting, a decision), with @mentions and an attachment.

A comment may be marked "only my company": a note about a shared campaign that the partner must not read. That is a
visibility rule of the model (`unless_private`), so every door that reads comments through the scoping mechanism
(admin, API, threads, downloads, notices) leaves it out for the other companies.
"""

import re
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaigns.models.assets import private_storage, validate_brand_file
from campaigns.models.core import (
    PARTY,
    Campaign,
    CampaignChildQuerySet,
    Deliverable,
    Member,
    Party,
    RaciAssignment,
    campaign_id_of,
)
from campaigns.models.flags import Flag
from campaigns.models.kpis import CampaignKpi
from campaigns.registries.commentable import commentable, commentables
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, own_company, own_person, related, unless_private
from partners.scoping.versions import Versioned

COMMENT_MAX_LENGTH = 5000
AUTHOR = related("author")


def validate_commentable_kind(value: str) -> None:
    if value not in commentables:
        known = ", ".join(sorted(commentables))
        raise ValidationError(f"“{value}” cannot be commented on. Comments go on: {known}.")


def _attachment_path(instance: "Comment", filename: str) -> str:
    # A random name, like brand assets: nothing about the campaign or company can be guessed from it.
    return f"private/comments/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class CommentQuerySet(CampaignChildQuerySet):
    # Every party reads a comment and adds its own, unless it is marked "only my company"; only its author edits it
    # (the earlier text stays in its history), and nobody deletes one: the thread is the campaign's record.
    owner_path = "organization"
    private_flag = "only_my_company"
    rules = {VIEW: unless_private(PARTY), ADD: PARTY, CHANGE: PARTY & AUTHOR, DELETE: NOBODY}
    server_owned = {
        "organization": own_company,
        "author": own_person,
        "target_kind": None,
        "target_id": None,
        "only_my_company": None,
    }
    relation_words = {"owner": "its author's company"}
    label_related = ("author",)

    def relation_q(self, relation: str, actor) -> Q:
        if relation == "author":
            return Q(author__user=actor.user)
        return super().relation_q(relation, actor)

    def on(self, kind: str, target_id: int) -> "CommentQuerySet":
        return self.filter(target_kind=kind, target_id=target_id)


class Comment(Versioned):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="comments", editable=False)
    target_kind = models.CharField("on", max_length=32, validators=[validate_commentable_kind])
    target_id = models.PositiveBigIntegerField("on which (id)")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The author's company.",
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="comments")
    only_my_company = models.BooleanField(
        "only my company",
        default=False,
        help_text="A note for your company alone: the other companies on the campaign never see it.",
    )
    text = models.TextField(
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)],
        help_text=f"Plain text, at most {COMMENT_MAX_LENGTH:,} characters. Mention a teammate with @ and their name.",
    )
    mentioned = models.ManyToManyField(Person, blank=True, editable=False, related_name="comment_mentions")
    attachment = models.FileField(upload_to=_attachment_path, storage=private_storage, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=200, blank=True, editable=False)
    attachment_type = models.CharField(max_length=120, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["target_kind", "target_id", "created_at"], name="comment_thread_idx")]

    def __str__(self) -> str:
        first_line = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"{first_line[:60]}{'…' if len(first_line) > 60 else ''}"

    @property
    def target_label(self) -> str:
        entry = commentables.get(self.target_kind)
        return entry.label if entry else self.target_kind

    def target(self) -> models.Model | None:
        entry = commentables.get(self.target_kind)
        return entry.model._default_manager.filter(pk=self.target_id).first() if entry else None

    def clean(self) -> None:
        if self.target_kind not in commentables or self.target_id is None:
            return  # the field validators say what is wrong
        target = self.target()
        if target is None:
            raise ValidationError({"target_id": f"There is no {self.target_label} #{self.target_id}."})
        campaign_path = type(target)._default_manager.all().campaign_path
        self.campaign_id = campaign_id_of(target, campaign_path)
        if self.only_my_company and self.organization_id is None:
            raise ValidationError({"only_my_company": "Only a company's people write notes for their company alone."})
        if self.attachment and not self.attachment._committed:
            name = PurePath(self.attachment.name).name
            try:
                self.attachment_type = validate_brand_file(self.attachment, name)
            except ValidationError as error:
                raise ValidationError({"attachment": error.messages}) from None
            self.attachment_name = name
        self.mentions_found = self.find_mentions()

    def find_mentions(self) -> list[Person]:
        """The people of the campaign's teams this text mentions ("@Maria Keller" or "@maria@northwind.example");
        an @ before anything else stays plain text. A note for one company may mention its own people only."""
        team = list(
            Person.objects.filter(
                is_active=True,
                pk__in=Member.objects.filter(campaign_id=self.campaign_id).values("person_id"),
                organization_id__in=Party.objects.filter(campaign_id=self.campaign_id).values("organization_id"),
            ).select_related("organization")
        )
        by_handle = {handle.casefold(): person for person in team for handle in (person.full_name, person.email)}
        if not by_handle:
            return []
        # Longest first, so "@Anna Maria Keller" is not read as "@Anna Maria"; a handle ends where a word does.
        handles = sorted(by_handle, key=len, reverse=True)
        pattern = re.compile(rf"(?<![\w.@])@({'|'.join(map(re.escape, handles))})(?![\w@-])", re.IGNORECASE)
        found = (by_handle[handle.casefold()] for handle in pattern.findall(self.text))
        mentioned = list({person.pk: person for person in found}.values())
        outside = [person for person in mentioned if person.organization_id != self.organization_id]
        if self.only_my_company and outside:
            names = ", ".join(f"{person.full_name} ({person.organization})" for person in outside)
            raise ValidationError(
                {
                    "text": f"This note is for {self.organization} only, so {names} would never see it: "
                    "remove the mention, or untick “only my company”."
                }
            )
        return mentioned


def _responsible_and_accountable(deliverable: Deliverable) -> list[int]:
    return list(
        RaciAssignment.objects.filter(
            deliverable=deliverable,
            role__in=[RaciAssignment.Role.RESPONSIBLE, RaciAssignment.Role.ACCOUNTABLE],
        ).values_list("member__person_id", flat=True)
    )


commentable(
    "deliverable",
    Deliverable,
    admin_change="admin:campaigns_deliverable_change",
    followers=_responsible_and_accountable,
)
commentable("flag", Flag, admin_change="admin:campaigns_flag_change")
commentable("kpi", CampaignKpi, admin_change="admin:campaigns_campaignkpi_change")
