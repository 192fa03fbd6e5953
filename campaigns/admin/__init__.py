# Each module registers its model admins.
from campaigns.admin import core  # noqa: F401
from campaigns.admin import flags  # noqa: F401
from campaigns.admin import kickoff  # noqa: F401
from campaigns.admin import invitations  # noqa: F401
from campaigns.admin import reports  # noqa: F401
from campaigns.admin import crm_imports  # noqa: F401
from campaigns.admin import templates  # noqa: F401
