from django.db import models


class AgreedTerms(models.Model):
    """A row some of whose fields were agreed to or approved (its "terms": a KPI's target, a budget line's amount).
    An agreement is pinned to those terms: a change of one of them is what undoes it (a locked KPI set refuses it,
    an approved budget line is reopened)."""

    AGREED_TERMS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def changes_agreed_terms(self) -> bool:
        """A new row, or one of its terms changed since it was stored."""
        if self.pk is None:
            return True
        stored = type(self)._base_manager.filter(pk=self.pk).values(*self.AGREED_TERMS).first()
        return stored != {name: getattr(self, name) for name in self.AGREED_TERMS}
