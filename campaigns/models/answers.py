"""Single use of the one-click answer links sent by e-mail: a link's nonce is written once, when it acts."""

from django.db import models

from campaigns.models.reminders import OwnRowsQuerySet
from partners.models import Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, SELF, VIEW


class UsedAnswerLinkQuerySet(OwnRowsQuerySet):
    # Written by the answer page when a link acts; the record of what the person answered.
    rules = {VIEW: SELF, ADD: NOBODY, CHANGE: NOBODY, DELETE: NOBODY}


class UsedAnswerLink(models.Model):
    nonce = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    action = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    used_at = models.DateTimeField(auto_now_add=True)

    objects = UsedAnswerLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "used answer link"

    def __str__(self) -> str:
        return f"{self.kind} {self.action} #{self.object_id} by {self.person}"
