from django.contrib import admin
from django.db import transaction

from campaigns.models.outbox import OutboxRow
from campaigns.outbox import lifecycle as outbox
from partners.scoping import NOBODY, rules_of
from partners.scoping.admin import ScopedModelAdmin


class OutboxAdmin(ScopedModelAdmin):
    """An outbox is the record of what was sent: read, never edited; a failed row is sent again by whoever its
    "resend" rule names (the next sweep takes it)."""

    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if rules_of(self.model).rule_for("resend") == NOBODY and not request.user.is_superuser:
            actions.pop("send_again", None)
        return actions

    @admin.action(description="Send the selected failed ones again")
    def send_again(self, request, queryset):
        failed = list(queryset.for_user(request.user, "resend").filter(status=OutboxRow.Status.FAILED))
        with transaction.atomic():
            for row in failed:
                outbox.resend(row)
        self.message_user(
            request,
            f"{len(failed)} failed {self.model._meta.verbose_name_plural} will be sent again by the next sweep.",
        )
