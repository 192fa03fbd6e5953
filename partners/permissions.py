"""The default permission group every company user is put in.

Each app declares what company staff may do with its models; the scoping
mechanism then narrows *which rows*. A new company user works without
hand-picked permissions.
"""

from collections.abc import Callable

from django.apps import AppConfig

COMPANY_STAFF_GROUP = "Company staff"


def grant_to_company_staff(app_config: AppConfig, actions_by_model: dict[str, list[str]]) -> Callable[..., None]:
    def handler(**kwargs) -> None:
        from django.contrib.auth.models import Group, Permission

        group, _ = Group.objects.get_or_create(name=COMPANY_STAFF_GROUP)
        codenames = [f"{action}_{model}" for model, actions in actions_by_model.items() for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_config.label, codename__in=codenames)
        )

    return handler
