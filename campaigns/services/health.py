"""The health sweep: every registered check over all open campaigns, stored as flags set-wise."""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns import health
from campaigns.models import Campaign, Flag, Member
from campaigns.services.bulk_rows import id_list, insert_history, insert_ignoring_conflicts
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


def _findings(now: datetime.datetime) -> tuple[dict[FlagKey, tuple[health.HealthCheck, health.Finding]], list[str]]:
    """One query per registered check; a check that fails is logged and left out (its flags stay as they are)."""
    found: dict[FlagKey, tuple[health.HealthCheck, health.Finding]] = {}
    failed = []
    open_campaigns = Campaign.objects.open()
    for check in health.checks.values():
        try:
            findings = list(check.find(open_campaigns, now))
        except Exception:
            logger.exception("Health check %s failed; its flags are left unchanged this time", check.code)
            failed.append(check.code)
            continue
        for finding in findings:
            found[(finding.campaign_id, check.code, finding.subject)] = (check, finding)
    return found, failed


@transaction.atomic
def health_sweep(*, now: datetime.datetime | None = None) -> HealthSweepResult:
    """Open flags for new findings, refresh those still found, resolve those no longer found.

    A constant number of queries whatever the number of campaigns: one per check, then one read and at most
    five writes (two of them the history of the flags opened and resolved). Flags of closed campaigns resolve too (closed campaigns are not checked).
    """
    now = now or timezone.now()
    found, failed = _findings(now)
    open_flags = {
        (campaign_id, code, subject): pk
        for pk, campaign_id, code, subject in Flag.objects.open().values_list("pk", "campaign_id", "code", "subject")
    }
    result = HealthSweepResult(failed_checks=failed)
    result.resolved = sorted(key for key in open_flags if key not in found and key[1] not in failed)
    if result.resolved:
        resolved = Flag.objects.filter(pk__in=id_list(open_flags[key] for key in result.resolved))
        resolved.update(resolved_at=now)
        insert_history(resolved, history_type="~", moment=now, reason="Resolved by the health sweep")
    result.opened = sorted(key for key in found if key not in open_flags)
    insert_ignoring_conflicts(
        Flag,
        [
            {
                "campaign": finding.campaign_id,
                "code": check.code,
                "subject": finding.subject,
                "severity": check.severity,
                "title": check.title,
                "detail": finding.detail,
                "opened_at": now,
                "last_seen_at": now,
                "attention_reason": "",
            }
            for check, finding in (found[key] for key in result.opened)
        ],
    )
    if result.opened:
        opened = Flag.objects.open().filter(opened_at=now).exclude(pk__in=id_list(open_flags.values()))
        insert_history(opened, history_type="+", moment=now, reason="Opened by the health sweep")
    still_open_codes = {code for _, code, _ in found}
    result.still_open = len(found) - len(result.opened)
    if result.still_open:
        # Refreshes the flags just re-found; the resolved ones were closed above, the new ones carry `now` already.
        Flag.objects.open().filter(code__in=sorted(still_open_codes), last_seen_at__lt=now).update(last_seen_at=now)
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
