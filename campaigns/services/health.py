"""The health sweep: every registered check over all open campaigns, stored as flags set-wise."""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns import health
from campaigns.models import Campaign, Flag, Member
from campaigns.services.bulk_rows import ROWS_PER_STATEMENT, chunked, insert_history, insert_ignoring_conflicts
from comarketing.validation import save_validated

logger = logging.getLogger(__name__)

FlagKey = tuple[int, str, str]  # (campaign id, check code, subject)


@dataclass
class HealthSweepResult:
    opened: list[FlagKey] = field(default_factory=list)
    resolved: list[FlagKey] = field(default_factory=list)
    still_open: int = 0
    failed_checks: list[str] = field(default_factory=list)

    @property
    def opened_critical(self) -> bool:
        return any(
            health.checks[code].severity == health.CRITICAL for _, code, _ in self.opened if code in health.checks
        )


def _sweep_check(
    check: health.HealthCheck, open_campaigns, flags, now: datetime.datetime, result: HealthSweepResult
) -> None:
    """Open, refresh and resolve the flags of one check. Only one check's findings and open flags are in memory
    at a time, and every write goes in chunks of ROWS_PER_STATEMENT."""
    # Plain keys, details and ids only: at 100,000 campaigns one check finds some 300,000 things.
    found = {
        (finding.campaign_id, check.code, finding.subject): finding.detail
        for finding in check.find(open_campaigns, now)
    }
    # "Last seen" is kept to within FLAG_LAST_SEEN_PRECISION_SECONDS: rewriting every open flag on every sweep
    # would be most of the sweep's writes for no one's benefit.
    stale_before = now - datetime.timedelta(seconds=settings.FLAG_LAST_SEEN_PRECISION_SECONDS)
    open_flags, stale = {}, set()
    for pk, campaign_id, subject, last_seen_at in (
        flags.filter(code=check.code)
        .values_list("pk", "campaign_id", "subject", "last_seen_at")
        .iterator(chunk_size=ROWS_PER_STATEMENT)
    ):
        open_flags[campaign_id, check.code, subject] = pk
        if last_seen_at <= stale_before:
            stale.add(pk)
    resolved = sorted(key for key in open_flags if key not in found)
    for keys in chunked(resolved):
        closing = Flag.objects.filter(pk__in=[open_flags[key] for key in keys])
        closing.update(resolved_at=now)
        # Set-wise writes skip save(), so their history is written set-wise too.
        insert_history(closing, history_type="~", moment=now, reason="Resolved by the health sweep")
    opened = sorted(key for key in found if key not in open_flags)
    for keys in chunked(opened):
        insert_ignoring_conflicts(
            Flag,
            [
                {"campaign": campaign_id, "subject": subject, "detail": found[campaign_id, code, subject]}
                for campaign_id, code, subject in keys
            ],
            {
                "code": check.code,
                "severity": check.severity,
                "title": check.title,
                "opened_at": now,
                "last_seen_at": now,
                "attention_reason": "",
            },
        )
    if opened:
        fresh = flags.filter(code=check.code, opened_at=now)
        insert_history(fresh, history_type="+", moment=now, reason="Opened by the health sweep")
    seen_again = [pk for key, pk in open_flags.items() if pk in stale and key in found]
    for pks in chunked(seen_again):
        Flag.objects.filter(pk__in=pks).update(last_seen_at=now)
    result.opened.extend(opened)
    result.resolved.extend(resolved)
    result.still_open += len(found) - len(opened)


@transaction.atomic
def health_sweep(*, now: datetime.datetime | None = None, campaign_ids: list[int] | None = None) -> HealthSweepResult:
    """Open flags for new findings, refresh those still found, resolve those no longer found.

    One check at a time, so memory holds one check's findings; a constant number of queries per check until a
    check finds more than ROWS_PER_STATEMENT rows. Flags of closed campaigns and of checks no longer registered
    resolve too (closed campaigns are not checked); a check that fails is logged and its flags stay as they are.
    With `campaign_ids`, the same checks run for those campaigns only (right after a change to them).
    """
    now = now or timezone.now()
    result = HealthSweepResult()
    open_campaigns = Campaign.objects.open()
    flags = Flag.objects.open()
    if campaign_ids is not None:
        open_campaigns = open_campaigns.filter(pk__in=campaign_ids)
        flags = flags.filter(campaign_id__in=campaign_ids)
    for check in health.checks.values():
        try:
            with transaction.atomic():
                _sweep_check(check, open_campaigns, flags, now, result)
        except Exception:
            logger.exception("Health check %s failed; its flags are left unchanged this time", check.code)
            result.failed_checks.append(check.code)
    unregistered = flags.exclude(code__in=[*health.checks])  # a check removed from the code
    result.resolved.extend(unregistered.values_list("campaign_id", "code", "subject"))
    unregistered.update(resolved_at=now)
    result.opened.sort()
    result.resolved.sort()
    return result


def _require_team_member(flag: Flag, user: Any) -> None:
    if flag.resolved_at is not None:
        raise ValidationError("This flag is already resolved; there is nothing left to acknowledge or snooze.")
    if not user.is_superuser and not Member.objects.filter(campaign_id=flag.campaign_id, person__user=user).exists():
        raise ValidationError("Only a member of the campaign team can acknowledge or snooze its flags.")


@transaction.atomic
def flag_acknowledge(*, flag: Flag, user: Any, reason: str) -> Flag:
    """The team knows and accepts the risk: the flag stays open (and resolves itself later) but stops warning."""
    _require_team_member(flag, user)
    flag.acknowledged_at = timezone.now()
    flag.acknowledged_by = user
    flag.attention_reason = reason.strip()
    flag._history_user = user
    return save_validated(flag)


@transaction.atomic
def flag_snooze(*, flag: Flag, user: Any, until: datetime.date, reason: str) -> Flag:
    """Hide the flag's warning until `until` (a day after today in the user's time zone)."""
    _require_team_member(flag, user)
    if until <= timezone.localdate():
        raise ValidationError({"snoozed_until": "Pick a day after today to snooze until."})
    flag.snoozed_until = until
    flag.attention_reason = reason.strip()
    flag._history_user = user
    return save_validated(flag)
