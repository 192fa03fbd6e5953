"""Health checks of joining by consent: invitations nobody answers, and campaigns under way with no partner."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Exists, OuterRef

from campaigns.models import Campaign, Invitation, Party
from campaigns.registries import checks as health
from campaigns.registries.due import after, due_moments
from campaigns.registries.reminder_sources import day_label
from utilities.bulk_rows import streamed

# The campaign's invitations: answered, sent again or sent to another company from their list.
INVITATIONS = health.campaign_page("admin:campaigns_invitation_changelist", "campaign__id__exact")
UNDER_WAY = (Campaign.Status.PLANNING, Campaign.Status.EXECUTION, Campaign.Status.REPORTING)


def _unanswered_from(open_campaigns, now: datetime.datetime):
    waiting = Invitation.objects.pending().filter(campaign__in=open_campaigns)
    moment = after("created_at", datetime.timedelta(days=settings.INVITATION_UNANSWERED_DAYS))
    return due_moments(waiting, campaign="campaign_id", moment=moment)


@health.health_check(
    "invitation_unanswered",
    severity=health.WARNING,
    title="Invitation not answered",
    due=_unanswered_from,
    fix=INVITATIONS,
)
def invitation_unanswered(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    sent_before = now - datetime.timedelta(days=settings.INVITATION_UNANSWERED_DAYS)
    rows = (
        Invitation.objects.pending()
        .with_invitee_name()
        .filter(campaign__in=open_campaigns, created_at__lt=sent_before)
        .order_by("campaign_id", "pk")
        .values_list("campaign_id", "organization_id", "pk", "contact_id", "invitee_name_sql", "created_at")
    )
    # An invitation by e-mail is named by itself and the name the host gave: never by the company it went to.
    return (
        health.Finding(
            campaign_id,
            f"invitation:{pk}" if contact_id else f"organization:{organization_id}",
            # The day it was sent, not a count of days: a count would rewrite the open flag's text every day.
            f"{name} has not answered the invitation sent on {day_label(sent.date())}. Follow up, or withdraw it.",
        )
        for campaign_id, organization_id, pk, contact_id, name, sent in streamed(rows)
    )


@health.health_check(
    "no_accepted_partner",
    severity=health.CRITICAL,
    title="No partner company has joined",
    changes_only=True,
    fix=INVITATIONS,
)
def no_accepted_partner(open_campaigns, now: datetime.datetime) -> Iterator[health.Finding]:
    partner = Party.objects.filter(campaign=OuterRef("pk"), role=Party.Role.PARTNER)
    rows = open_campaigns.filter(status__in=UNDER_WAY).filter(~Exists(partner)).values_list("pk", flat=True)
    return (
        health.Finding(campaign_id, "", "The campaign is under way but no partner company has accepted to take part.")
        for campaign_id in streamed(rows)
    )
