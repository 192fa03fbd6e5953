"""Limits per period (so many invitations a day…): the refusal says when the next one is allowed."""

import datetime
import math

from django.utils import timezone


class LimitReached(Exception):
    """A limit per period is used up until `retry_at`. The API answers 429 with Retry-After; a form shows the
    message."""

    def __init__(self, message: str, retry_at: datetime.datetime) -> None:
        super().__init__(message)
        self.message, self.retry_at = message, retry_at

    def retry_after_seconds(self, now: datetime.datetime | None = None) -> int:
        return max(1, math.ceil((self.retry_at - (now or timezone.now())).total_seconds()))


def free_again_at(moments: list[datetime.datetime], limit: int, window: datetime.timedelta) -> datetime.datetime | None:
    """When one more use is allowed, given the moments of the uses within the last `window` (newest first): None
    while fewer than `limit`, else when the oldest use that counts leaves the window."""
    if len(moments) < limit:
        return None
    return moments[limit - 1] + window
