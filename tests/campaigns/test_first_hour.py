"""A partner's first hour: after accepting, one page lists what the campaign asks of its company (roles, legal review
and brand assets, processes and lead times, tool access, the KPI agreement), each step saved in place, with
progress; the campaign's home links to it while anything is left."""

import datetime
import re

from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignTemplate,
    Invitation,
    KickoffCompanyPart,
    KickoffQuestionnaire,
    KpiAgreement,
    Member,
    ToolAccess,
)
from campaigns.pages import first_hour
from campaigns.services.core import campaign_create
from tests.campaigns.factories import joint_campaign
from tests.clients import admin_of
from tests.partners.factories import PersonFactory, company_user
from tests.querycount import queries_of


def webinar_with_partner_invited(alice, company_b) -> Campaign:
    """Maria's side of day one: a webinar from the template, the tools named, Company B invited."""
    campaign = campaign_create(
        user=alice,
        campaign=Campaign(name="First hour webinar"),
        partner=company_b,
        template=CampaignTemplate.objects.get(organization=None, kind=Campaign.Kind.JOINT_WEBINAR),
        event_date=timezone.localdate() + datetime.timedelta(days=60),
        decision_maker=alice.person,
        project_lead=alice.person,
        kpi_targets={"registrations": "200", "attendees": "80"},
    )
    KickoffQuestionnaire.objects.filter(campaign=campaign).update(video_meeting_tool="Zoom", file_sharing_tool="Drive")
    return campaign


def accept(client, campaign):
    invitation = Invitation.objects.get(campaign=campaign)
    return client.post(f"/admin/campaigns/invitation/{invitation.pk}/accept/")


def page_of(client, campaign) -> str:
    response = client.get(f"/admin/campaigns/campaign/{campaign.pk}/first-hour/")
    assert response.status_code == 200
    return response.content.decode()


def progress(page: str) -> str:
    return re.search(r"<strong>(\d+ of \d+ done)</strong>", page).group(1)


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page).group(1)


def test_the_partner_goes_from_accepting_to_done_on_one_page(alice, carol, company_b):
    campaign = webinar_with_partner_invited(alice, company_b)
    dora = PersonFactory(organization=company_b, full_name="Dora Budget")
    client = admin_of(carol)

    accepted = accept(client, campaign)
    assert accepted["Location"] == f"/admin/campaigns/campaign/{campaign.pk}/first-hour/"
    page = page_of(client, campaign)
    assert progress(page) == "0 of 5 done"
    home = client.get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()
    assert "Continue your first hour" in home and "0 of 5 done" in home

    carol_member = Member.objects.get(campaign=campaign, person=carol.person)
    roles = {f"roles-{name}": carol.person.pk for name in Member.ROLE_FIELDS} | {"roles-is_budget_owner": dora.pk}
    saved = client.post(
        accepted["Location"],
        {"step": "roles", f"member-version-{carol_member.pk}": carol_member.version, **roles},
    )
    assert saved.status_code == 302 and saved["Location"].endswith("#step-legal")

    part = KickoffCompanyPart.objects.get(campaign=campaign, organization=company_b)
    client.post(
        accepted["Location"],
        {
            "step": "legal",
            "legal-version": part.version,
            "legal-has_legal_review": "False",
            "legal-no_brand_assets": "on",
        },
    )
    part.refresh_from_db()
    processes = {f"processes-{prefix}_lead_days": "3" for prefix in KickoffCompanyPart.PROCESSES}
    client.post(
        accepted["Location"],
        {
            "step": "processes",
            "processes-version": part.version,
            "processes-reports_process": "CSV weekly",
            **processes,
        },
    )
    page = page_of(client, campaign)
    assert progress(page) == "3 of 5 done"

    dora_member = Member.objects.get(campaign=campaign, person=dora)
    access = [f"{carol_member.pk}:video_meeting", f"{carol_member.pk}:file_sharing", f"{dora_member.pk}:video_meeting"]
    client.post(accepted["Location"], {"step": "tools", "access": access})
    client.post(accepted["Location"], {"step": "kpis", "kpis": hidden(page_of(client, campaign), "kpis")})

    page = page_of(client, campaign)
    assert progress(page) == "5 of 5 done"
    assert "Everything asked of your company is done" in page
    assert {
        m.person.full_name: m.roles for m in Member.objects.filter(campaign=campaign, person__organization=company_b)
    } == {
        "Carol": ["Decision maker", "Strategic lead", "Process & resourcing expert", "Project lead"],
        "Dora Budget": ["Budget owner"],
    }
    part.refresh_from_db()
    assert part.completed_by == carol.person and part.reports_process == "CSV weekly"
    assert dict(ToolAccess.objects.filter(member=dora_member).values_list("tool", "has_access")) == {
        "video_meeting": True,
        "file_sharing": False,
    }
    assert KpiAgreement.objects.get(organization=company_b).agreed_by == carol.person
    home = client.get(f"/admin/campaigns/campaign/{campaign.pk}/home/").content.decode()
    assert "Continue your first hour" not in home


def test_roles_saved_over_a_change_made_meanwhile_are_refused(alice, carol, company_b):
    campaign = webinar_with_partner_invited(alice, company_b)
    client = admin_of(carol)
    accept(client, campaign)
    member = Member.objects.get(campaign=campaign, person=carol.person)
    seen = member.version
    other = company_user(company_b, name="Cora Colleague")
    admin_of(other)  # a colleague changes Carol's row in between
    member.is_strategic_lead = True
    member.save()

    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/first-hour/",
        {
            "step": "roles",
            f"member-version-{member.pk}": seen,
            **{f"roles-{n}": carol.person.pk for n in Member.ROLE_FIELDS},
        },
        follow=True,
    )

    assert "was changed since you opened it" in response.content.decode()
    member.refresh_from_db()
    assert not member.is_decision_maker


def test_an_agreement_is_given_only_to_the_kpis_the_page_showed(alice, carol, company_b):
    campaign = webinar_with_partner_invited(alice, company_b)
    client = admin_of(carol)
    accept(client, campaign)
    shown = hidden(page_of(client, campaign), "kpis")
    kpi = campaign.kpis.get(metric__code="registrations")
    kpi.target = 500
    kpi.save()

    response = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/first-hour/", {"step": "kpis", "kpis": shown}, follow=True
    )

    assert "The KPIs changed since you opened this page" in response.content.decode()
    assert not KpiAgreement.objects.filter(organization=company_b).exists()


def test_bad_input_is_answered_with_the_form_again_never_an_error(alice, carol, company_b, charlie):
    campaign = webinar_with_partner_invited(alice, company_b)
    client = admin_of(carol)
    accept(client, campaign)
    url = f"/admin/campaigns/campaign/{campaign.pk}/first-hour/"

    someone_else = client.post(url, {"step": "roles", **{f"roles-{n}": charlie.person.pk for n in Member.ROLE_FIELDS}})
    not_a_number = client.post(url, {"step": "processes", "processes-nurtures_lead_days": "soon"})
    unknown_step = client.post(url, {"step": "x" * 5000}, follow=True)

    assert someone_else.status_code == 200 and "Select a valid choice" in someone_else.content.decode()
    assert not_a_number.status_code == 200 and "Enter a whole number" in not_a_number.content.decode()
    assert "Choose one of the steps on this page" in unknown_step.content.decode()
    assert not Member.objects.filter(campaign=campaign, is_decision_maker=True, person__organization=company_b).exists()


def test_only_a_company_taking_part_has_a_first_hour(alice, carol, charlie, company_a, company_b, django_user_model):
    campaign = webinar_with_partner_invited(alice, company_b)
    url = f"/admin/campaigns/campaign/{campaign.pk}/first-hour/"
    operator = django_user_model.objects.create_superuser("operator", password="x")

    assert admin_of(carol).get(url).status_code == 404  # invited, not yet taking part
    assert admin_of(charlie).get(url).status_code == 404
    assert "your login belongs to none of them" in admin_of(operator).get(url).content.decode()
    assert progress(page_of(admin_of(alice), campaign)) == "0 of 5 done"  # the host has its own first hour


def test_the_page_reads_as_many_rows_for_3_campaigns_as_for_30(alice, carol, company_a, company_b):
    campaign = webinar_with_partner_invited(alice, company_b)
    client = admin_of(carol)
    accept(client, campaign)
    url = f"/admin/campaigns/campaign/{campaign.pk}/first-hour/"
    for _ in range(2):
        joint_campaign(company_a, company_b)
    few = queries_of(lambda: client.get(url))
    for _ in range(27):
        joint_campaign(company_a, company_b)
    many = queries_of(lambda: client.get(url))

    assert few == many


def test_a_large_company_names_its_roles_and_legal_reviewer_by_typing(alice, carol, company_b, monkeypatch):
    """Above SELECT_UP_TO people a select of every name is no choice: each role is a name typed (an e-mail, a
    full name or the unique start of one), refused with the reason when it fits nobody or several people."""
    monkeypatch.setattr(first_hour, "SELECT_UP_TO", 3)
    campaign = webinar_with_partner_invited(alice, company_b)
    PersonFactory(organization=company_b, full_name="Dora Budget", email="dora@b.example")
    PersonFactory(organization=company_b, full_name="Dorian Gray", email="dorian@b.example")
    lena = PersonFactory(organization=company_b, full_name="Lena Legal", email="lena@b.example")
    PersonFactory(organization=alice.person.organization, full_name="Lenny of the host")
    client = admin_of(carol)
    accept(client, campaign)
    page = page_of(client, campaign)
    assert "<select" not in page.split('id="step-roles"')[1].split("</form>")[0]
    you = f"{carol.person.full_name} &lt;{carol.person.email}&gt;"  # you, while nobody holds it
    assert f'name="roles-is_decision_maker" value="{you}"' in page

    carol_member = Member.objects.get(campaign=campaign, person=carol.person)
    url = f"/admin/campaigns/campaign/{campaign.pk}/first-hour/"
    roles = {f"roles-{name}": carol.person.full_name for name in Member.ROLE_FIELDS}
    version = {f"member-version-{carol_member.pk}": carol_member.version}

    ambiguous = client.post(url, {"step": "roles", **version, **roles, "roles-is_budget_owner": "dor"})
    assert ambiguous.status_code == 200
    assert "“dor” fits several people: type more of the name, or the e-mail address." in ambiguous.content.decode()
    foreign = client.post(url, {"step": "roles", **version, **roles, "roles-is_budget_owner": "Lenny"})
    assert "Nobody here is called “Lenny”" in foreign.content.decode()  # the host's people are not ours to name

    saved = client.post(url, {"step": "roles", **version, **roles, "roles-is_budget_owner": "DORA@b.example"})
    assert saved.status_code == 302
    assert Member.objects.get(campaign=campaign, person__full_name="Dora Budget").is_budget_owner

    part = KickoffCompanyPart.objects.get(campaign=campaign, organization=company_b)
    client.post(url, {"step": "legal", "legal-version": part.version, "legal-has_legal_review": "True",
                      "legal-legal_reviewer": "lena", "legal-legal_turnaround_business_days": "3",
                      "legal-no_brand_assets": "on"})  # fmt: skip
    part.refresh_from_db()
    assert part.legal_reviewer == lena
    assert 'name="legal-legal_reviewer" value="Lena Legal &lt;lena@b.example&gt;"' in page_of(client, campaign)
    kept = client.post(
        url, {"step": "roles", **version, **roles, "roles-is_budget_owner": "Dora Budget <dora@b.example>"}
    )
    assert kept.status_code == 302  # a role saved as it was shown
