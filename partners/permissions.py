"""The default permission group every company user is put in, derived from the declared rules.

Django's model permissions say what *kind* of thing a company user may do; the scoping rules say which
rows. So that the rules stay the one declaration, the group holds exactly the permissions some rule can
grant: "view", "add" and "delete" where that rule is not "only the operator", and "change" where changing
or any custom action (publish, agree, answer…) is. A new company user works without hand-picked
permissions, and a model no company may write never shows an "add" or "delete" button.
"""

from django.apps import AppConfig

from partners.scoping.querysets import rules_of
from partners.scoping.rules import ADD, CHANGE, DELETE, NOBODY, STANDARD_ACTIONS, VIEW

COMPANY_STAFF_GROUP = "Company staff"


def company_staff_actions(model) -> list[str]:
    """The Django permission actions ("view", "add"…) company staff hold on `model`, from its rules."""
    queryset_class = rules_of(model)
    if queryset_class is None:
        return []
    granted = {action for action, rule in queryset_class.rules.items() if rule != NOBODY}
    actions = [action for action in (VIEW, ADD, DELETE) if action in granted]
    if CHANGE in granted or granted - set(STANDARD_ACTIONS):
        actions.append(CHANGE)
    return actions


def grant_to_company_staff(app_config: AppConfig, **kwargs) -> None:
    """After each app migrates (Django's `post_migrate`), the group holds what its models' rules grant."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=COMPANY_STAFF_GROUP)
    codenames = [
        f"{action}_{model._meta.model_name}"
        for model in app_config.get_models()
        for action in company_staff_actions(model)
    ]
    wanted = Permission.objects.filter(content_type__app_label=app_config.label, codename__in=codenames)
    group.permissions.remove(*group.permissions.filter(content_type__app_label=app_config.label).exclude(pk__in=wanted))
    group.permissions.add(*wanted)
