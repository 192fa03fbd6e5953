"""A paginator that counts rows up to a cap: a page of 50 or 100 rows costs the same whether a user can see a
thousand campaigns or a hundred thousand, where an exact COUNT(*) read every visible row on every page."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Rows counted at most; beyond it lists say "more than …" and offer the pages up to it (a filter, a search or
# the sort narrows down the rest).
COUNT_CAP = 10_000
# Rows on a page, of an API list and of an admin list alike.
PAGE_ROWS = 50


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        """The number of rows, or COUNT_CAP + 1 when there are more (see `capped`)."""
        if not hasattr(self.object_list, "query"):
            return super().count
        # Only which rows exist matters: no ordering, no annotated columns (a change list's flag counts).
        return self.object_list.order_by().values("pk")[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP
