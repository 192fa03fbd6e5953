# Each module registers its model admins.
from campaigns.admin import (
    comments,  # noqa: F401
    core,  # noqa: F401
    crm_imports,  # noqa: F401
    flags,  # noqa: F401
    invitations,  # noqa: F401
    kickoff,  # noqa: F401
    reports,  # noqa: F401
    templates,  # noqa: F401
    webhooks,  # noqa: F401
)
