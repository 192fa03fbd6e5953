"""The one scoping mechanism: what each user may see and change.

Every company-owned model's queryset derives from `ScopedQuerySet` and says,
in `visible_to`, which rows an organization may reach. Admin (`scoping.admin`)
and API (`scoping.api`) apply it on every path; nothing else filters by company.
"""

from partners.scoping.querysets import (
    CHANGE,
    VIEW,
    ScopedQuerySet,
    organization_id_of,
    scoped_queryset,
    time_zone_of,
    sharing,
)

__all__ = ["CHANGE", "VIEW", "ScopedQuerySet", "organization_id_of", "scoped_queryset", "sharing", "time_zone_of"]
