# Each module registers its model admins.
from campaigns.admin import (
    budget,  # noqa: F401
    comments,  # noqa: F401
    core,  # noqa: F401
    crm_imports,  # noqa: F401
    flags,  # noqa: F401
    invitations,  # noqa: F401
    kickoff,  # noqa: F401
    leads,  # noqa: F401
    registrants,  # noqa: F401
    reports,  # noqa: F401
    templates,  # noqa: F401
    webhooks,  # noqa: F401
)
