"""Sign-off requests go out when a deliverable that needs them enters review, whichever door saved it
(admin, API, demo data), without the deliverable's own code knowing about sign-offs."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from campaigns.models import Deliverable
from campaigns.services.signoffs import signoff_requests_create


@receiver(post_save, sender=Deliverable, dispatch_uid="campaigns-signoff-requests-on-review")
def request_signoffs_on_review(sender, instance: Deliverable, raw: bool = False, **kwargs) -> None:
    if raw or instance.status != Deliverable.Status.IN_REVIEW:
        return
    if instance.needs_signoff or instance.needs_legal_review:
        signoff_requests_create(deliverable=instance)
