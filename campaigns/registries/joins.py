"""What follows a company joining a campaign (accepting its invitation), contributed by other apps: meetings
adds the company's team to the campaign's meeting series. Run inside the acceptance's transaction."""

from collections.abc import Callable
from typing import Any

CompanyJoined = Callable[[Any, Any], None]  # (party, user)
on_company_joined: list[CompanyJoined] = []


def company_joined(react: CompanyJoined) -> CompanyJoined:
    """Register `react(party, user)`, run when a company has joined a campaign (its party and team saved)."""
    if react not in on_company_joined:
        on_company_joined.append(react)
    return react
