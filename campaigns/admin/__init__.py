# Each module registers its model admins.
from campaigns.admin import core  # noqa: F401
