"""Authority (issue 8): a company changes only what is its to change, through the API and the admin alike.

Each test is one harm a partner (or a company user) could do; it asserts the harm does not happen (the
database is as it was) and that the user gets a clear answer: a 403 naming who may, a 400 or form error
naming the field, a read-only field; never a 500.
"""

import datetime
import re

import pytest
from django.urls import reverse

from campaigns.models import (
    BrandAsset,
    Campaign,
    Deliverable,
    Invitation,
    KickoffCompanyPart,
    KpiMeasurement,
    Member,
    Party,
    RaciAssignment,
    Reminder,
    SignoffRequest,
)
from partners.models import PartnerRelationship, Person
from tests.campaigns.factories import DeliverableFactory, joint_campaign, member_of
from tests.campaigns.kickoff_factories import complete_company_part, kpi, link_asset, measurement
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from utilities.validation import save_validated


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def host_party(campaign):
    return Party.objects.get(campaign=campaign, role=Party.Role.HOST)


def party_of(campaign, organization):
    return Party.objects.get(campaign=campaign, organization=organization)


def posted_back(response, **changes):
    """What the admin page in `response` would post if its user pressed Save: every editable field of the
    main form and of each inline, with `changes` applied to the main form."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(item) for item in value]
            elif isinstance(value, (datetime.date, datetime.datetime)):
                data[key] = value.isoformat()
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def offers_input(page: str, name: str) -> bool:
    """Whether an admin page has an editable form control for field `name` of its main form."""
    return re.search(rf'<(input|select|textarea)[^>]*\bname="{re.escape(name)}"', page) is not None


@pytest.fixture
def alice_api(alice):
    return api_of(alice)


@pytest.fixture
def carol_api(carol):
    return api_of(carol)


@pytest.fixture
def alice_client(alice):
    return admin_of(alice)


@pytest.fixture
def carol_client(carol):
    return admin_of(carol)


# --- A person's company -------------------------------------------------------------------------------


def test_a_person_cannot_be_moved_to_another_company_through_the_api(
    alice_api, alice, company_a, company_b, shared_campaign
):
    response = alice_api.patch(f"/api/people/{alice.person.pk}/", {"organization": company_b.pk}, format="json")

    assert response.status_code == 200  # a read-only field: ignored, and the answer shows it unchanged
    assert response.json()["organization"] == company_a.pk
    assert Person.objects.get(pk=alice.person.pk).organization == company_a


def test_a_persons_company_is_read_only_in_the_admin(alice_client, alice, company_a, company_b, shared_campaign):
    url = admin_url("partners_person_change", alice.person.pk)
    page = alice_client.get(url)
    assert not offers_input(page.content.decode(), "organization")

    response = alice_client.post(url, posted_back(page, organization=str(company_b.pk), job_title="Marketer"))

    assert response.status_code == 302
    person = Person.objects.get(pk=alice.person.pk)
    assert (person.organization, person.job_title) == (company_a, "Marketer")


# --- The host's party row -----------------------------------------------------------------------------


def test_a_partner_cannot_change_the_hosts_party(carol_api, shared_campaign, company_a, company_c, charlie):
    party = host_party(shared_campaign)

    response = carol_api.patch(f"/api/parties/{party.pk}/", {"organization": company_c.pk}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the company it belongs to may change this party."
    party.refresh_from_db()
    assert (party.organization, party.role) == (company_a, Party.Role.HOST)


def test_a_partner_cannot_remove_the_host(carol_api, shared_campaign, company_a):
    party = host_party(shared_campaign)

    response = carol_api.delete(f"/api/parties/{party.pk}/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the host company or the company it belongs to may delete this party."
    assert Party.objects.get(pk=party.pk).left_at is None


def test_a_partner_cannot_rewrite_company_or_role_of_its_own_party(carol_api, shared_campaign, company_b, company_c):
    party = party_of(shared_campaign, company_b)

    response = carol_api.patch(
        f"/api/parties/{party.pk}/", {"organization": company_c.pk, "role": "host"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["organization"], response.json()["role"]) == (company_b.pk, "partner")
    party.refresh_from_db()
    assert (party.organization, party.role) == (company_b, Party.Role.PARTNER)
    assert host_party(shared_campaign).organization.name == "Company A"


def test_the_host_cannot_leave_without_handing_over_and_is_told_why(alice_api, shared_campaign):
    party = host_party(shared_campaign)

    response = alice_api.delete(f"/api/parties/{party.pk}/")

    assert response.status_code == 400
    assert "hand the host role to a partner company first" in str(response.json())
    assert Party.objects.get(pk=party.pk).left_at is None


def test_the_hosts_party_is_read_only_and_undeletable_for_a_partner_in_the_admin(
    carol_client, shared_campaign, company_a, company_c
):
    party = host_party(shared_campaign)
    url = admin_url("campaigns_party_change", party.pk)
    page = carol_client.get(url)
    assert page.status_code == 200
    assert not offers_input(page.content.decode(), "point_of_contact")

    changed = carol_client.post(url, {"campaign": shared_campaign.pk, "organization": company_c.pk, "role": "partner"})
    deleted = carol_client.post(admin_url("campaigns_party_delete", party.pk), {"post": "yes"})

    assert changed.status_code == 403
    assert carol_client.get(admin_url("campaigns_party_delete", party.pk)).status_code == 403
    assert deleted.status_code == 403
    party.refresh_from_db()
    assert (party.organization, party.role, party.left_at) == (company_a, Party.Role.HOST, None)


# --- The host's campaign ------------------------------------------------------------------------------


@pytest.fixture
def leads(shared_campaign, alice, carol, company_b):
    """Alice decides for A, Carol leads the project for B; a B teammate without a lead role is not told."""
    Member.objects.filter(campaign=shared_campaign, person=alice.person).update(is_decision_maker=True)
    Member.objects.filter(campaign=shared_campaign, person=carol.person).update(is_project_lead=True)
    return member_of(shared_campaign, company_b).person


def change_notices(campaign):
    return Reminder.objects.filter(kind="campaign_change", campaign=campaign)


def test_a_partner_cannot_rename_or_cancel_the_hosts_campaign_through_the_api(carol_api, shared_campaign, leads):
    renamed = carol_api.patch(f"/api/campaigns/{shared_campaign.pk}/", {"name": "Ours now"}, format="json")
    transition = f"/api/campaigns/{shared_campaign.pk}/transition/"
    cancelled = carol_api.post(transition, {"status": "cancelled"}, format="json")

    for response in (renamed, cancelled):
        assert response.status_code == 403
        assert response.json()["detail"] == "Only the host company may change this campaign."
    campaign = Campaign.objects.get(pk=shared_campaign.pk)
    assert (campaign.name, campaign.status) == ("A and B webinar", Campaign.Status.DRAFT)
    assert not change_notices(campaign).exists()


def test_the_host_renames_and_cancels_and_every_companys_leads_are_told(
    alice_api, alice, carol, shared_campaign, leads
):
    renamed = alice_api.patch(f"/api/campaigns/{shared_campaign.pk}/", {"name": "Spring webinar"}, format="json")
    transition = f"/api/campaigns/{shared_campaign.pk}/transition/"
    cancelled = alice_api.post(transition, {"status": "cancelled"}, format="json")

    assert renamed.status_code == 200 and cancelled.status_code == 200, (renamed.content, cancelled.content)
    campaign = Campaign.objects.get(pk=shared_campaign.pk)
    assert (campaign.name, campaign.status) == ("Spring webinar", Campaign.Status.CANCELLED)
    notices = change_notices(campaign)
    assert {notice.person for notice in notices} == {alice.person, carol.person}
    assert {notice.subject_line for notice in notices} == {"“Spring webinar” was cancelled"}
    assert "Alice of Company A cancelled" in notices.get(person=carol.person).body_text


def test_a_partner_sees_the_hosts_campaign_read_only_in_the_admin(carol_client, shared_campaign, leads):
    url = admin_url("campaigns_campaign_change", shared_campaign.pk)
    page = carol_client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "A and B webinar" in html
    for field in ("name", "status", "launch_date"):
        assert not offers_input(html, field), field
    assert 'name="_save"' not in html

    response = carol_client.post(url, {"name": "Ours now", "kind": "joint_webinar", "status": "cancelled"})
    assert response.status_code == 403
    campaign = Campaign.objects.get(pk=shared_campaign.pk)
    assert (campaign.name, campaign.status) == ("A and B webinar", Campaign.Status.DRAFT)
    assert not change_notices(campaign).exists()


def test_the_host_cancels_in_the_admin_and_every_companys_leads_are_told(
    alice_client, alice, carol, shared_campaign, leads
):
    url = admin_url("campaigns_campaign_change", shared_campaign.pk)

    response = alice_client.post(url, posted_back(alice_client.get(url), status="cancelled"))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Campaign.objects.get(pk=shared_campaign.pk).status == Campaign.Status.CANCELLED
    assert {notice.person for notice in change_notices(shared_campaign)} == {alice.person, carol.person}


# --- Publishing is the channel owner's call -----------------------------------------------------------


@pytest.fixture
def on_hosts_channel(shared_campaign):
    """A landing page going out on the host's (A's) channel, needing sign-off and legal review."""
    return DeliverableFactory(
        campaign=shared_campaign,
        channel_party=host_party(shared_campaign),
        needs_signoff=True,
        needs_legal_review=True,
        title="A's landing page",
    )


PUBLISH_REFUSAL = "Only the company whose channel it goes out on may publish this deliverable."


@pytest.mark.parametrize(
    "change",
    [{"needs_signoff": False}, {"needs_legal_review": False}, {"status": "published"}, {"status": "approved"}],
    ids=["untick-signoff", "untick-legal", "publish", "approve"],
)
def test_a_partner_cannot_skip_reviews_or_publish_on_the_hosts_channel(carol_api, on_hosts_channel, change):
    response = carol_api.patch(f"/api/deliverables/{on_hosts_channel.pk}/", change, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == PUBLISH_REFUSAL
    deliverable = Deliverable.objects.get(pk=on_hosts_channel.pk)
    assert (deliverable.needs_signoff, deliverable.needs_legal_review, deliverable.status) == (
        True,
        True,
        Deliverable.Status.NOT_STARTED,
    )


def test_a_partner_still_edits_the_shared_work_on_the_hosts_channel(carol_api, on_hosts_channel):
    response = carol_api.patch(f"/api/deliverables/{on_hosts_channel.pk}/", {"title": "Better title"}, format="json")

    assert response.status_code == 200
    assert Deliverable.objects.get(pk=on_hosts_channel.pk).title == "Better title"


def test_a_partner_cannot_move_a_deliverable_to_its_own_channel(
    carol_api, on_hosts_channel, shared_campaign, company_b
):
    response = carol_api.patch(
        f"/api/deliverables/{on_hosts_channel.pk}/",
        {"channel_party": party_of(shared_campaign, company_b).pk},
        format="json",
    )

    assert response.status_code == 403
    assert Deliverable.objects.get(pk=on_hosts_channel.pk).channel_party == host_party(shared_campaign)


def test_a_partner_sees_the_review_flags_read_only_and_cannot_publish_in_the_admin(carol_client, on_hosts_channel):
    url = admin_url("campaigns_deliverable_change", on_hosts_channel.pk)
    page = carol_client.get(url)
    html = page.content.decode()
    for field in ("needs_signoff", "needs_legal_review", "channel_party"):
        assert not offers_input(html, field), field

    unticked = carol_client.post(url, posted_back(page, needs_signoff=None, needs_legal_review=None))
    published = carol_client.post(url, posted_back(page, status="published"))

    assert unticked.status_code == 302  # the flags are not in the form: saved as they were
    assert published.status_code == 200
    assert PUBLISH_REFUSAL in published.content.decode()
    deliverable = Deliverable.objects.get(pk=on_hosts_channel.pk)
    assert (deliverable.needs_signoff, deliverable.needs_legal_review, deliverable.status) == (
        True,
        True,
        Deliverable.Status.NOT_STARTED,
    )


@pytest.fixture
def in_review_on_partners_channel(shared_campaign, company_b, alice, carol):
    """A deliverable on B's channel, in review; its Accountable (Alice, of the host) has not signed it off yet."""
    deliverable = DeliverableFactory(
        campaign=shared_campaign, channel_party=party_of(shared_campaign, company_b), needs_signoff=True
    )
    alice_member = shared_campaign.members.get(person=alice.person)
    carol_member = shared_campaign.members.get(person=carol.person)
    save_validated(RaciAssignment(deliverable=deliverable, member=alice_member, role="A"))
    save_validated(RaciAssignment(deliverable=deliverable, member=carol_member, role="R"))
    deliverable.status = Deliverable.Status.IN_REVIEW
    save_validated(deliverable)
    assert SignoffRequest.objects.filter(deliverable=deliverable, reviewer=alice.person, status="pending").exists()
    return deliverable


def test_the_channel_owner_cannot_publish_while_a_signoff_is_pending(carol_api, in_review_on_partners_channel):
    response = carol_api.patch(
        f"/api/deliverables/{in_review_on_partners_channel.pk}/", {"status": "published"}, format="json"
    )

    assert response.status_code == 400
    assert "sign-off is pending from Alice" in response.json()["status"][0]
    assert Deliverable.objects.get(pk=in_review_on_partners_channel.pk).status == Deliverable.Status.IN_REVIEW


def test_the_channel_owner_cannot_publish_while_a_signoff_is_pending_in_the_admin(
    carol_client, in_review_on_partners_channel
):
    url = admin_url("campaigns_deliverable_change", in_review_on_partners_channel.pk)

    response = carol_client.post(url, posted_back(carol_client.get(url), status="published"))

    assert response.status_code == 200
    assert "sign-off is pending from Alice" in response.content.decode()
    assert Deliverable.objects.get(pk=in_review_on_partners_channel.pk).status == Deliverable.Status.IN_REVIEW


def test_the_channel_owner_cannot_skip_a_pending_signoff_by_unticking_it_while_publishing(
    carol_api, in_review_on_partners_channel
):
    response = carol_api.patch(
        f"/api/deliverables/{in_review_on_partners_channel.pk}/",
        {"needs_signoff": False, "status": "published"},
        format="json",
    )

    assert response.status_code == 400
    assert Deliverable.objects.get(pk=in_review_on_partners_channel.pk).status == Deliverable.Status.IN_REVIEW


# --- Joining only by invitation -----------------------------------------------------------------------


def test_a_party_cannot_be_added_directly_through_the_api(alice_api, shared_campaign, company_c):
    response = alice_api.post(
        "/api/parties/",
        {"campaign": shared_campaign.pk, "organization": company_c.pk, "role": "partner"},
        format="json",
    )

    assert response.status_code in (403, 405)
    assert not Party.all_objects.filter(organization=company_c).exists()


def test_posting_a_party_answers_that_there_is_no_such_route(alice_api, shared_campaign, company_c):
    response = alice_api.post(
        "/api/parties/", {"campaign": shared_campaign.pk, "organization": company_c.pk}, format="json"
    )

    assert response.status_code == 405


def test_a_party_cannot_be_added_directly_in_the_admin(alice_client, shared_campaign, company_c):
    add_page = alice_client.get(admin_url("campaigns_party_add"))
    forged = alice_client.post(
        admin_url("campaigns_party_add"),
        {"campaign": shared_campaign.pk, "organization": company_c.pk, "role": "partner"},
    )

    assert add_page.status_code == forged.status_code == 403
    assert not Party.objects.filter(organization=company_c).exists()


def test_the_campaign_page_offers_no_way_to_add_a_party_row(alice_client, shared_campaign, company_c, charlie):
    url = admin_url("campaigns_campaign_change", shared_campaign.pk)
    page = alice_client.get(url)
    data = posted_back(page)
    data.update(
        {
            "parties-TOTAL_FORMS": "3",
            "parties-2-organization": str(company_c.pk),
            "parties-2-role": "host",
            "parties-2-point_of_contact": str(charlie.person.pk),
        }
    )

    response = alice_client.post(url, data)

    assert response.status_code == 302
    assert not Party.all_objects.filter(organization=company_c).exists()


def test_the_host_invites_and_a_partner_cannot(alice_api, carol_api, shared_campaign, company_c):
    by_partner = carol_api.post(
        "/api/invitations/", {"campaign": shared_campaign.pk, "organization": company_c.pk}, format="json"
    )
    assert by_partner.status_code == 403
    assert by_partner.json()["detail"] == "Only the host company may add this invitation."
    assert not Invitation.objects.exists()

    by_host = alice_api.post(
        "/api/invitations/", {"campaign": shared_campaign.pk, "organization": company_c.pk}, format="json"
    )
    assert by_host.status_code == 201, by_host.content
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.status) == (company_c, Invitation.Status.PENDING)
    assert not Party.objects.filter(campaign=shared_campaign, organization=company_c).exists()


# --- Owner fields are not rewritten on update ---------------------------------------------------------


def test_a_brand_assets_company_cannot_be_rewritten(alice_api, carol_api, shared_campaign, company_a, company_b):
    asset = link_asset(shared_campaign, company_a)

    by_owner = alice_api.patch(f"/api/brand-assets/{asset.pk}/", {"organization": company_b.pk}, format="multipart")
    by_partner = carol_api.patch(
        f"/api/brand-assets/{asset.pk}/", {"organization": company_b.pk, "title": "Our logo"}, format="multipart"
    )

    assert by_owner.status_code == 200
    assert by_owner.json()["organization"] == company_a.pk
    assert by_partner.status_code == 403
    assert by_partner.json()["detail"] == "Only the company it belongs to may change this brand asset."
    asset = BrandAsset.objects.get(pk=asset.pk)
    assert (asset.organization, asset.title) == (company_a, "Logo")


def test_a_brand_assets_company_is_read_only_in_the_admin(
    alice_client, carol_client, shared_campaign, company_a, company_b
):
    asset = link_asset(shared_campaign, company_a)
    url = admin_url("campaigns_brandasset_change", asset.pk)
    page = alice_client.get(url)
    assert page.status_code == 200
    assert not offers_input(page.content.decode(), "organization")

    by_owner = alice_client.post(url, posted_back(page, organization=str(company_b.pk), title="Logo 2027"))
    by_partner = carol_client.post(url, posted_back(page, organization=str(company_b.pk), title="Our logo"))

    assert by_owner.status_code == 302
    assert by_partner.status_code == 403
    asset = BrandAsset.objects.get(pk=asset.pk)
    assert (asset.organization, asset.title) == (company_a, "Logo 2027")


def test_a_partner_cannot_change_another_companys_kickoff_answers(carol_api, carol_client, shared_campaign, company_a):
    part = complete_company_part(shared_campaign, company_a, social_posts_lead_days=3)

    patched = carol_api.patch(f"/api/kickoff-company-parts/{part.pk}/", {"social_posts_lead_days": 30}, format="json")
    completed = carol_api.post(f"/api/kickoff-company-parts/{part.pk}/mark-complete/")
    in_admin = carol_client.post(
        admin_url("campaigns_kickoffcompanypart_change", part.pk), {"social_posts_lead_days": "30"}
    )

    assert patched.status_code == 403
    assert patched.json()["detail"] == "Only the company it belongs to may change this kickoff answers of a company."
    assert completed.status_code == 403
    assert in_admin.status_code == 403
    part = KickoffCompanyPart.objects.get(pk=part.pk)
    assert (part.social_posts_lead_days, part.completed_at) == (3, None)


@pytest.fixture
def alices_figure(shared_campaign, alice):
    return measurement(kpi(shared_campaign), "120", by=alice.person, end=datetime.date(2026, 11, 29))


def test_who_reported_a_figure_cannot_be_rewritten(alice_api, carol_api, alices_figure, alice, bob):
    by_reporter = alice_api.patch(
        f"/api/kpi-measurements/{alices_figure.pk}/", {"reported_by": bob.person.pk, "value": "130"}, format="json"
    )
    by_partner = carol_api.patch(f"/api/kpi-measurements/{alices_figure.pk}/", {"value": "1"}, format="json")

    assert by_reporter.status_code == 200, by_reporter.content
    assert by_reporter.json()["reported_by"] == alice.person.pk
    assert by_partner.status_code == 403
    figure = KpiMeasurement.objects.get(pk=alices_figure.pk)
    assert (figure.reported_by, str(figure.value)) == (alice.person, "130.00")


def test_a_new_figure_is_reported_by_whoever_reports_it(carol_api, carol, alice, alices_figure):
    response = carol_api.post(
        "/api/kpi-measurements/",
        {
            "campaign": alices_figure.campaign_id,
            "kpi": alices_figure.kpi_id,
            "period_start": "2026-11-30",
            "period_end": "2026-12-06",
            "value": "200",
            "reported_by": alice.person.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert KpiMeasurement.objects.get(pk=response.json()["id"]).reported_by == carol.person


def test_who_reported_a_figure_is_read_only_in_the_admin(alice_client, alices_figure):
    page = alice_client.get(admin_url("campaigns_kpimeasurement_change", alices_figure.pk))

    assert page.status_code == 200
    assert not offers_input(page.content.decode(), "reported_by")


def test_a_partners_tier_is_the_vendors_to_set_and_the_partner_only_sees_it(
    alice_api, carol_api, api, charlie, alice_client, carol_client, company_a, company_b, shared_campaign
):
    created = alice_api.post("/api/partner-relationships/", {"partner": company_b.pk, "tier": 2}, format="json")
    assert created.status_code == 201, created.content
    relationship = PartnerRelationship.objects.get()
    assert (relationship.vendor, relationship.partner, relationship.tier) == (company_a, company_b, 2)

    by_partner = carol_api.patch(f"/api/partner-relationships/{relationship.pk}/", {"tier": 1}, format="json")
    assert by_partner.status_code == 403
    assert by_partner.json()["detail"] == "Only the vendor may change this partner relationship."
    assert carol_api.get(f"/api/partner-relationships/{relationship.pk}/").json()["tier"] == 2
    assert api.as_user(charlie).get(f"/api/partner-relationships/{relationship.pk}/").status_code == 404
    page = carol_client.get(admin_url("partners_partnerrelationship_change", relationship.pk)).content.decode()
    assert not offers_input(page, "tier")

    assert (
        alice_api.patch(f"/api/partner-relationships/{relationship.pk}/", {"tier": 1}, format="json").status_code == 200
    )
    relationship.refresh_from_db()
    assert relationship.tier == 1


def test_a_company_has_no_tier_of_its_own_to_set(alice_api, company_a):
    response = alice_api.patch(f"/api/organizations/{company_a.pk}/", {"partner_tier": 1}, format="json")

    assert response.status_code == 200 and "partner_tier" not in response.json()


# --- Creating a campaign in the admin -----------------------------------------------------------------


def create_form(**fields):
    return {
        "name": "Spring launch",
        "kind": "joint_webinar",
        "kickoff_date": "2026-11-02",
        "launch_date": "2026-12-03",
        "end_date": "2026-12-31",
        "goals": "",
        "invite_message": "",
        **fields,
    }


def test_the_admin_creates_a_campaign_hosted_by_your_company_with_the_partner_invited(
    alice_client, alice, bob, carol, company_a, company_b
):
    response = alice_client.post(
        admin_url("campaigns_campaign_add"),
        create_form(partner=str(company_b.pk), invite_message="Shall we?", team=[str(bob.person.pk)]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(name="Spring launch")
    assert [(p.organization, p.role) for p in Party.objects.filter(campaign=campaign)] == [(company_a, "host")]
    invitation = Invitation.objects.get(campaign=campaign)
    assert (invitation.organization, invitation.status, invitation.message) == (company_b, "pending", "Shall we?")
    assert {m.person for m in campaign.members.all()} == {alice.person, bob.person}
    assert Reminder.objects.filter(kind="invitation", person=carol.person, campaign=campaign).exists()


def test_an_invalid_create_form_keeps_what_was_typed(alice_client, company_b):
    response = alice_client.post(
        admin_url("campaigns_campaign_add"),
        create_form(launch_date="2026-10-01", partner=str(company_b.pk), goals="500 sign-ups"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The launch date cannot be before the kickoff date." in html
    assert 'value="Spring launch"' in html
    assert "500 sign-ups" in html
    assert re.search(rf'<option value="{company_b.pk}"[^>]*selected', html)
    assert not Campaign.objects.filter(name="Spring launch").exists()
    assert not Invitation.objects.exists()


def test_the_create_form_refuses_your_own_company_as_partner(alice_client, company_a):
    response = alice_client.post(admin_url("campaigns_campaign_add"), create_form(partner=str(company_a.pk)))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Campaign.objects.filter(name="Spring launch").exists()


@pytest.fixture
def second_campaign_of_a(company_a, company_c, alice):
    campaign = joint_campaign(company_a, company_c, name="A and C roadshow")
    member_of_user(campaign, alice)
    return campaign


def channel_choices(form):
    return set(form.fields["channel_party"].queryset.values_list("pk", flat=True))


def test_the_channel_dropdown_offers_only_this_campaigns_parties(alice_client, shared_campaign, second_campaign_of_a):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    own_parties = set(Party.objects.filter(campaign=shared_campaign).values_list("pk", flat=True))

    deliverable_page = alice_client.get(admin_url("campaigns_deliverable_change", deliverable.pk))
    campaign_page = alice_client.get(admin_url("campaigns_campaign_change", shared_campaign.pk))

    assert channel_choices(deliverable_page.context["adminform"].form) == own_parties
    (inline,) = [i for i in campaign_page.context["inline_admin_formsets"] if i.formset.model is Deliverable]
    assert channel_choices(inline.formset.empty_form) == own_parties
    for form in inline.formset.forms:
        assert channel_choices(form) == own_parties
    # Before a campaign is chosen and saved there is nothing to offer.
    for add_page in ("campaigns_deliverable_add", "campaigns_campaign_add"):
        assert "channel_party" not in alice_client.get(admin_url(add_page)).context["adminform"].form.fields


def test_a_forged_channel_of_another_campaign_is_refused(alice_client, shared_campaign, second_campaign_of_a):
    deliverable = DeliverableFactory(campaign=shared_campaign)
    url = admin_url("campaigns_deliverable_change", deliverable.pk)
    foreign_party = host_party(second_campaign_of_a)

    response = alice_client.post(url, posted_back(alice_client.get(url), channel_party=str(foreign_party.pk)))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Deliverable.objects.get(pk=deliverable.pk).channel_party is None
