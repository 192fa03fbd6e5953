"""What follows a save, whichever door made it (admin, API, demo data, a task), without the saving code knowing.

- Fresh health: a change to a campaign's rows re-runs the health checks for that campaign once it commits. The
  same checks as the sweep, restricted to the campaigns just changed (one definition of every check), so "No
  decision maker" disappears in the request that names one, not a quarter of an hour later. Flags are left
  out: acknowledging one is not a change the checks read.
- Fresh scorecards: the same change marks the partner scorecards of the companies taking part stale and asks
  for a refresh; a new partner relationship asks for its first one.
- Sign-off requests go out when a deliverable that needs them enters review.
- Approvals are pinned to content: a change to what the reviewers approved (Deliverable.REVIEWED_FIELDS), by
  whichever door, re-opens their approvals and tells them.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from campaigns.models import (
    SEEING_FIELDS,
    Campaign,
    CampaignChildQuerySet,
    Deliverable,
    Flag,
    Member,
    Party,
    ReminderOptOut,
    WebhookEndpoint,
    who_sees_whom_refresh,
)
from campaigns.services.scorecards import REFRESH_TASK as SCORECARD_REFRESH_TASK
from campaigns.services.scorecards import scorecards_mark_stale
from campaigns.services.signoffs import approvals_reopen_on_change, signoff_requests_create
from campaigns.services.sweep_marks import HEALTH, REMINDERS, WEBHOOKS, sweep_marks_changed
from partners.models import PartnerRelationship, Person
from partners.scoping import rules_of
from utilities.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)
_changed = threading.local()


def campaign_id_of(instance) -> int | None:
    """The campaign a row belongs to, by its queryset's `campaign_path` ("questionnaire__campaign", "pk")."""
    queryset_class = rules_of(type(instance))
    if not (isinstance(queryset_class, type) and issubclass(queryset_class, CampaignChildQuerySet)):
        return None
    if queryset_class.campaign_path == "pk":
        return instance.pk
    *hops, last = queryset_class.campaign_path.split("__")
    for hop in hops:
        instance = getattr(instance, hop, None)
        if instance is None:
            return None
    return getattr(instance, f"{last}_id", None)


def _recheck_changed_campaigns() -> None:
    from campaigns.services.health import health_sweep

    campaign_ids = sorted(getattr(_changed, "campaign_ids", set()))
    _changed.campaign_ids = set()
    if campaign_ids:
        # Marked first: should the re-check fail, the scheduled sweeps still look at these campaigns.
        sweep_marks_changed(campaign_ids)
        health_sweep(campaign_ids=campaign_ids)
        # After the checks: the scorecards count the critical flags they open.
        scorecards_mark_stale(campaign_ids=campaign_ids)


def _mark_on_commit(campaigns, sweeps: tuple[str, ...]) -> None:
    transaction.on_commit(lambda: sweep_marks_changed(campaigns.values_list("pk", flat=True), sweeps), robust=True)


@receiver(post_save, sender=Person, dispatch_uid="campaigns-sweeps-on-person-change")
@receiver(post_save, sender=ReminderOptOut, dispatch_uid="campaigns-sweeps-on-opt-out")
@receiver(post_delete, sender=ReminderOptOut, dispatch_uid="campaigns-sweeps-on-opt-in")
def mark_campaigns_of_person(sender, instance, raw: bool = False, **kwargs) -> None:
    """A person's time zone moves the moments their reminders fall due; opting in again makes reminders due; a
    person deactivated leaves the roles they held (a health check)."""
    if raw:
        return
    person_id = instance.pk if sender is Person else instance.person_id
    sweeps = (HEALTH, REMINDERS) if sender is Person else (REMINDERS,)
    _mark_on_commit(Campaign.objects.filter(members__person_id=person_id).distinct(), sweeps)


@receiver(post_save, sender=WebhookEndpoint, dispatch_uid="campaigns-sweeps-on-webhook-change")
def mark_campaigns_of_endpoint(sender, instance: WebhookEndpoint, raw: bool = False, **kwargs) -> None:
    """An endpoint turned on, or subscribed to more events, hears of its company's recent events."""
    if raw:
        return
    _mark_on_commit(Campaign.objects.filter(parties__organization_id=instance.organization_id), (WEBHOOKS,))


@receiver(post_save, dispatch_uid="campaigns-fresh-health-on-save")
@receiver(post_delete, dispatch_uid="campaigns-fresh-health-on-delete")
def recheck_on_commit(sender, instance, **kwargs) -> None:
    if sender is Flag or kwargs.get("raw"):
        return
    campaign_id = campaign_id_of(instance)
    if campaign_id is None:
        return
    if not hasattr(_changed, "campaign_ids"):
        _changed.campaign_ids = set()
    _changed.campaign_ids.add(campaign_id)
    # Every change registers the callback; the first to run re-checks them all, the others find nothing left.
    transaction.on_commit(_recheck_changed_campaigns, robust=True)


@receiver(post_save, sender=Member, dispatch_uid="campaigns-acquaintances-on-member-save")
@receiver(post_delete, sender=Member, dispatch_uid="campaigns-acquaintances-on-member-delete")
@receiver(post_save, sender=Party, dispatch_uid="campaigns-acquaintances-on-party-save")
@receiver(post_delete, sender=Party, dispatch_uid="campaigns-acquaintances-on-party-delete")
def refresh_who_sees_whom(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """A team or a campaign's parties changed: which people each company of the campaign sees, stored again in
    the same transaction (a company that leaves stops seeing the team as it leaves). A role or a host hand-over
    changes nobody's view."""
    if raw or (update_fields is not None and not SEEING_FIELDS[sender] & set(update_fields)):
        return
    loaded = getattr(instance, "_loaded_values", {})  # before this save: a contact replaced, a company moved
    who_sees_whom_refresh(
        [instance.campaign_id],
        also_companies={getattr(instance, "organization_id", None), loaded.get("organization_id")} - {None},
        also_people={loaded.get("person_id"), loaded.get("point_of_contact_id")} - {None},
    )


@receiver(post_save, sender=PartnerRelationship, dispatch_uid="campaigns-scorecard-of-a-new-partner")
def work_out_a_new_partners_scorecard(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        enqueue_on_commit(SCORECARD_REFRESH_TASK)


@receiver(post_save, sender=Deliverable, dispatch_uid="campaigns-approvals-pinned-to-content")
def reopen_approvals_on_content_change(
    sender, instance: Deliverable, created: bool, raw: bool = False, update_fields=None, **kwargs
) -> None:
    if raw or created or (update_fields is not None and not set(update_fields) & set(Deliverable.REVIEWED_FIELDS)):
        return
    approvals_reopen_on_change(deliverable=instance)


@receiver(post_save, sender=Deliverable, dispatch_uid="campaigns-signoff-requests-on-review")
def request_signoffs_on_review(sender, instance: Deliverable, raw: bool = False, **kwargs) -> None:
    if raw or instance.status != Deliverable.Status.IN_REVIEW:
        return
    if instance.needs_signoff or instance.needs_legal_review:
        signoff_requests_create(deliverable=instance)
