import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from campaigns.models import Campaign, Deliverable, Member, Party, RaciAssignment
from partners.scoping.admin import _redacted_deleted_objects
from tests.campaigns.factories import DeliverableFactory, RaciAssignmentFactory, member_of

MISSING_ID = 987654


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def deliverables(shared_campaign, other_campaign):
    return DeliverableFactory(campaign=shared_campaign, title="Shared landing page"), DeliverableFactory(
        campaign=other_campaign, title="Secret account plan"
    )


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def test_it_lists_only_campaigns_of_the_users_company(alice_client, shared_campaign, other_campaign):
    page = alice_client.get(admin_url("campaigns_campaign_changelist")).content.decode()
    assert "A and B webinar" in page
    assert "B and C secret pilot" not in page


def test_the_partner_sees_both_of_its_campaigns(client, carol, shared_campaign, other_campaign):
    client.force_login(carol)
    page = client.get(admin_url("campaigns_campaign_changelist")).content.decode()
    assert "A and B webinar" in page and "B and C secret pilot" in page


def test_the_outsider_cannot_see_the_shared_campaign(client, charlie, shared_campaign, other_campaign):
    client.force_login(charlie)
    page = client.get(admin_url("campaigns_campaign_changelist")).content.decode()
    assert "A and B webinar" not in page and "B and C secret pilot" in page


@pytest.mark.parametrize("url_name", ["campaigns_deliverable_change", "campaigns_deliverable_delete"])
def test_a_guessed_id_answers_like_a_missing_one(alice_client, deliverables, url_name):
    hidden = alice_client.get(admin_url(url_name, deliverables[1].pk))
    missing = alice_client.get(admin_url(url_name, MISSING_ID))
    assert hidden.status_code == missing.status_code == 302
    assert hidden.url == missing.url == admin_url("index")


def test_a_guessed_campaign_id_answers_like_a_missing_one(alice_client, other_campaign):
    hidden = alice_client.get(admin_url("campaigns_campaign_change", other_campaign.pk), follow=True)
    missing = alice_client.get(admin_url("campaigns_campaign_change", MISSING_ID), follow=True)
    assert hidden.redirect_chain == missing.redirect_chain == [(admin_url("index"), 302)]
    assert "doesn’t exist" in hidden.content.decode()


@pytest.mark.parametrize("model_name", ["campaign", "party", "member", "deliverable", "raciassignment"])
def test_history_of_another_companys_record_is_not_found(alice_client, other_campaign, deliverables, model_name):
    model = {"campaign": Campaign, "party": Party, "member": Member, "deliverable": Deliverable}.get(model_name)
    if model_name == "raciassignment":
        obj = RaciAssignmentFactory(deliverable=deliverables[1], member=other_campaign.members.first())
    else:
        obj = model.objects.filter(
            **({"pk": other_campaign.pk} if model is Campaign else {"campaign": other_campaign})
        ).first()
    response = alice_client.get(admin_url(f"campaigns_{model_name}_history", obj.pk))
    assert response.status_code == 404


def test_history_of_a_shared_record_shows_who_changed_what(alice_client, alice, shared_campaign):
    alice_client.post(
        admin_url("campaigns_campaign_change", shared_campaign.pk),
        campaign_form(shared_campaign, goals="400 registrations"),
    )
    page = alice_client.get(admin_url("campaigns_campaign_history", shared_campaign.pk)).content.decode()
    assert "400 registrations" in page or "Goals" in page
    assert alice.username in page


def test_a_history_version_of_another_companys_record_is_not_found(alice_client, other_campaign):
    version = other_campaign.history.first()
    url = admin_url("campaigns_campaign_simple_history", other_campaign.pk, version.history_id)
    assert alice_client.get(url).status_code == 404


def test_the_view_on_site_shortcut_hides_existence(alice_client, other_campaign):
    content_type = ContentType.objects.get_for_model(Campaign)
    hidden = alice_client.get(admin_url("view_on_site", content_type.pk, other_campaign.pk))
    missing = alice_client.get(admin_url("view_on_site", content_type.pk, MISSING_ID))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_team_autocomplete_offers_only_people_of_your_company(
    alice_client, alice, bob, carol, charlie, shared_campaign, other_campaign
):
    response = alice_client.get(
        admin_url("autocomplete"),
        {"app_label": "campaigns", "model_name": "member", "field_name": "person", "term": ""},
    )
    names = {row["text"] for row in json.loads(response.content)["results"]}
    assert names == {str(alice.person), str(bob.person)}


def test_autocomplete_offers_only_visible_campaigns(alice_client, shared_campaign, other_campaign):
    response = alice_client.get(
        admin_url("autocomplete"),
        {"app_label": "campaigns", "model_name": "deliverable", "field_name": "campaign", "term": ""},
    )
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["A and B webinar"]


def test_foreign_key_choices_are_scoped(alice_client, shared_campaign, other_campaign, charlie):
    page = alice_client.get(admin_url("campaigns_campaign_change", shared_campaign.pk)).content.decode()
    assert "Carol" in page  # partner person on the shared campaign, offered as point of contact
    assert "Charlie" not in page
    assert "B and C secret pilot" not in page


def test_list_filters_offer_only_visible_rows(alice_client, deliverables, company_c):
    campaigns_page = alice_client.get(admin_url("campaigns_campaign_changelist")).content.decode()
    assert "Company B" in campaigns_page and "Company C" not in campaigns_page
    deliverables_page = alice_client.get(admin_url("campaigns_deliverable_changelist")).content.decode()
    assert "Shared landing page" in deliverables_page
    assert "B and C secret pilot" not in deliverables_page and "Secret account plan" not in deliverables_page


def test_a_forged_post_with_another_companys_campaign_is_refused(alice_client, other_campaign):
    response = alice_client.post(
        admin_url("campaigns_deliverable_add"),
        {
            **empty_inline("raci"),
            "campaign": other_campaign.pk,
            "title": "Sneaky",
            "type": "other",
            "status": "not_started",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Deliverable.objects.filter(title="Sneaky").exists()


def test_creating_a_campaign_makes_the_company_its_host(alice_client, alice, company_a):
    response = alice_client.post(admin_url("campaigns_campaign_add"), campaign_form(None, name="Holiday webinar"))
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(name="Holiday webinar")
    assert campaign.parties.get(role="host").organization == company_a
    assert campaign.members.get().person == alice.person


def test_an_illegal_status_change_gets_a_form_error(alice_client, shared_campaign):
    response = alice_client.post(
        admin_url("campaigns_campaign_change", shared_campaign.pk), campaign_form(shared_campaign, status="closed")
    )
    assert response.status_code == 200
    assert "cannot move from Draft to Closed" in response.content.decode()
    assert Campaign.objects.get(pk=shared_campaign.pk).status == "draft"


def test_a_second_accountable_in_the_inline_gets_a_form_error(alice_client, alice, carol, shared_campaign):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    members = list(shared_campaign.members.all())
    data = deliverable_form(deliverable)
    data.update(inline_rows("raci", [{"member": members[0].pk, "role": "A"}, {"member": members[1].pk, "role": "A"}]))
    response = alice_client.post(admin_url("campaigns_deliverable_change", deliverable.pk), data)
    assert response.status_code == 200
    assert "exactly one Accountable" in response.content.decode()
    assert not RaciAssignment.objects.exists()


def test_raci_choices_are_members_of_that_campaign(alice_client, shared_campaign, other_campaign, company_b):
    stranger_on_other = member_of(other_campaign, company_b)
    page = alice_client.get(
        admin_url("campaigns_deliverable_change", DeliverableFactory(campaign=shared_campaign).pk)
    ).content.decode()
    assert f'value="{stranger_on_other.pk}"' not in page


def test_another_companys_person_is_read_only(alice_client, carol, shared_campaign):
    url = admin_url("partners_person_change", carol.person.pk)
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url, {"full_name": "Hacked", "email": carol.person.email, "time_zone": "UTC"})
    assert response.status_code == 403
    carol.person.refresh_from_db()
    assert carol.person.full_name == "Carol"


def test_a_person_created_by_a_company_user_belongs_to_that_company(alice_client, company_a, company_b):
    response = alice_client.post(
        admin_url("partners_person_add"),
        {
            "full_name": "New Hire",
            "email": "hire@a.example",
            "time_zone": "Europe/Berlin",
            "organization": company_b.pk,
        },
    )
    assert response.status_code == 302
    from partners.models import Person

    assert Person.objects.get(email="hire@a.example").organization == company_a


def test_an_unknown_time_zone_gets_a_form_error(alice_client):
    response = alice_client.post(
        admin_url("partners_person_add"), {"full_name": "X", "email": "x@a.example", "time_zone": "Nowhere/City"}
    )
    assert response.status_code == 200
    assert "is not a known time zone" in response.content.decode()


def test_the_raci_matrix_page_shows_letters_and_gaps(alice_client, shared_campaign):
    alice_member, carol_member = shared_campaign.members.order_by("person__full_name")
    covered = DeliverableFactory(campaign=shared_campaign, title="Covered")
    RaciAssignmentFactory(deliverable=covered, member=alice_member, role="A")
    RaciAssignmentFactory(deliverable=covered, member=carol_member, role="R")
    DeliverableFactory(campaign=shared_campaign, title="Orphan")
    page = alice_client.get(admin_url("campaigns_campaign_raci", shared_campaign.pk)).content.decode()
    assert "Covered" in page and "Orphan" in page
    assert "No Accountable, No Responsible" in page
    assert '<td class="letter">A</td>' in page and '<td class="letter">R</td>' in page


def test_the_raci_matrix_of_another_companys_campaign_is_not_found(alice_client, other_campaign):
    assert alice_client.get(admin_url("campaigns_campaign_raci", other_campaign.pk)).status_code == 404


def test_the_delete_summary_names_no_other_companys_rows(rf, alice, company_b, shared_campaign, other_campaign):
    from django.contrib import admin as django_admin

    request = rf.get("/")
    request.user = alice
    to_delete, counts, _, protected = _redacted_deleted_objects([company_b], request, django_admin.site)
    text = " ".join(map(str, protected))
    assert "B and C secret pilot" not in text
    assert "(belongs to another company)" in text


def test_a_campaign_with_deliverables_cannot_be_deleted_by_anyone(client, operator, shared_campaign):
    DeliverableFactory(campaign=shared_campaign)
    client.force_login(operator)
    response = client.post(admin_url("campaigns_campaign_delete", shared_campaign.pk), {"post": "yes"})
    assert "Cannot delete campaign" in response.content.decode()
    assert Campaign.objects.filter(pk=shared_campaign.pk).exists()


# --- form helpers --------------------------------------------------------------------


def empty_inline(prefix):
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def inline_rows(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def campaign_form(campaign, **changes):
    data = {"name": "", "kind": "joint_webinar", "status": "draft", "goals": ""}
    if campaign is not None:
        data.update(name=campaign.name, kind=campaign.kind, status=campaign.status)
    data.update(changes)
    for read_only_or_empty in ("invitations", "learnings"):
        data.update({f"{read_only_or_empty}-TOTAL_FORMS": "0", f"{read_only_or_empty}-INITIAL_FORMS": "0"})
    for prefix, model in (("parties", Party), ("members", Member), ("deliverables", Deliverable)):
        existing = list(model.objects.filter(campaign=campaign)) if campaign else []
        data[f"{prefix}-TOTAL_FORMS"] = str(len(existing))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
        for index, row in enumerate(existing):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-campaign"] = campaign.pk
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                if field.name not in ("id", "campaign") and value is not None and value is not False:
                    data[f"{prefix}-{index}-{field.name}"] = "on" if value is True else value
    return data


def deliverable_form(deliverable):
    return {
        "campaign": deliverable.campaign_id,
        "title": deliverable.title,
        "type": deliverable.type,
        "status": deliverable.status,
        "due_date": deliverable.due_date.isoformat() if deliverable.due_date else "",
    }


def test_admin_actions_touch_only_scoped_rows(alice_client, deliverables):
    shared, hidden = deliverables
    response = alice_client.post(
        admin_url("campaigns_deliverable_changelist"),
        {"action": "delete_selected", "_selected_action": [shared.pk, hidden.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Deliverable.objects.filter(pk=shared.pk).exists()
    assert Deliverable.objects.filter(pk=hidden.pk).exists()


def test_the_operator_sees_every_campaign(client, operator, shared_campaign, other_campaign):
    client.force_login(operator)
    page = client.get(admin_url("campaigns_campaign_changelist")).content.decode()
    assert "A and B webinar" in page and "B and C secret pilot" in page


def test_company_users_cannot_reach_logins_and_groups(alice_client):
    assert alice_client.get("/admin/auth/user/").status_code == 403


def test_the_raw_id_popup_lists_only_scoped_rows(alice_client, shared_campaign, other_campaign):
    page = alice_client.get(
        admin_url("campaigns_campaign_changelist"), {"_popup": "1", "_to_field": "id"}
    ).content.decode()
    assert "A and B webinar" in page and "B and C secret pilot" not in page


def test_another_companys_organization_is_read_only(alice_client, company_b, shared_campaign):
    url = admin_url("partners_organization_change", company_b.pk)
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url, {"name": "Renamed"}).status_code == 403


def test_removing_the_last_responsible_of_a_started_deliverable_is_refused(alice_client, shared_campaign):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    responsible = RaciAssignmentFactory(deliverable=deliverable, member=shared_campaign.members.first(), role="R")
    Deliverable.objects.filter(pk=deliverable.pk).update(status="in_progress")
    deliverable.refresh_from_db()
    data = deliverable_form(deliverable)
    data.update(
        {
            "raci-TOTAL_FORMS": "1",
            "raci-INITIAL_FORMS": "1",
            "raci-0-id": responsible.pk,
            "raci-0-deliverable": deliverable.pk,
            "raci-0-member": responsible.member_id,
            "raci-0-role": "R",
            "raci-0-DELETE": "on",
        }
    )
    response = alice_client.post(admin_url("campaigns_deliverable_change", deliverable.pk), data)
    assert response.status_code == 200
    assert "needs at least one Responsible" in response.content.decode()
    assert RaciAssignment.objects.filter(pk=responsible.pk).exists()
