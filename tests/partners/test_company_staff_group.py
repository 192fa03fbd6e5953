"""The default group every company user is put in ("Company staff"), written down by hand: which buttons a company
user sees on a model (Django's view / add / change / delete permissions), whatever the rules table says."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from partners.permissions import COMPANY_STAFF_GROUP, company_staff_actions

# model: the Django permission actions a company user holds on it. "change" also stands for every custom action
# (agree, resend, govern…): Django has no permission of its own for them.
HELD = {
    # Reminders are sent by the system: a company user only reads the ones addressed to them.
    "campaigns.Reminder": ["view"],
    # An agreement is the outcome of a round: read only, never written or deleted by hand.
    "campaigns.KpiAgreement": ["view"],
    # A KPI round is proposed and then agreed (a custom action, so "change"), never edited or deleted.
    "campaigns.KpiRound": ["view", "add", "change"],
    # A campaign is created and edited by its host, and only the operator deletes one.
    "campaigns.Campaign": ["view", "add", "change"],
    # A party joins through an invitation, never by "add"; the host or the company itself removes it.
    "campaigns.Party": ["view", "delete", "change"],
    # A delivery is only read and sent again.
    "campaigns.WebhookDelivery": ["view", "change"],
    # A company edits its own record; only the operator adds or deletes companies.
    "partners.Organization": ["view", "change"],
    # A deliverable is fully in the hands of the companies taking part.
    "campaigns.Deliverable": ["view", "add", "delete", "change"],
    # Logins are not company data: no permission at all.
    "auth.User": [],
}


@pytest.mark.parametrize("label", sorted(HELD))
def test_a_company_user_holds_exactly_the_permissions_the_readme_gives(label):
    assert company_staff_actions(apps.get_model(label)) == HELD[label]


@pytest.mark.django_db
def test_the_company_staff_group_holds_them_after_migrating():
    codenames = set(Group.objects.get(name=COMPANY_STAFF_GROUP).permissions.values_list("codename", flat=True))
    assert {"view_reminder", "view_kpiround", "add_kpiround", "change_kpiround"} <= codenames
    assert codenames.isdisjoint({"add_reminder", "change_reminder", "delete_reminder", "delete_kpiround"})
    assert codenames.isdisjoint({"add_party", "add_kpiagreement", "delete_campaign", "view_user"})
