"""My work answers "ours": what is late or due for my company, what waits on the partner, flags that link to where
they are fixed, recently closed campaigns with their reports, and saves that come back to My work."""

import datetime
import html

from django.core.files.base import ContentFile
from django.utils import timezone

from campaigns.models import Campaign, RaciAssignment, ResultsReport, SignoffRequest
from campaigns.services.health import health_sweep
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.clients import admin_of
from tests.conftest import member_of_user
from tests.forms import form_data
from tests.querycount import queries_of

today = timezone.localdate  # read at each use


def _owned(campaign, member, title: str, days: int, role: str = "A"):
    deliverable = DeliverableFactory(campaign=campaign, title=title, due_date=today() + datetime.timedelta(days=days))
    RaciAssignment.objects.create(deliverable=deliverable, member=member, role=role)
    return deliverable


def _ours_panel(user) -> str:
    page = html.unescape(admin_of(user).get("/admin/").content.decode())
    return page.split('<section class="cockpit-panel module">')[1]  # the first panel of the page


def test_it_says_nothing_is_late_for_my_company_when_nothing_is(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    _owned(campaign, member_of_user(campaign, alice), "Speaker brief", days=3)

    panel = _ours_panel(alice)

    assert "Late or due for Company A" in panel
    assert "Nothing late for Company A." in panel
    assert "Deliverable: Speaker brief" in panel  # due in three days, still listed


def test_it_lists_what_is_late_for_us_and_what_waits_on_the_partner(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    alices, carols = member_of_user(campaign, alice), member_of_user(campaign, carol)
    late = _owned(campaign, alices, "Landing page", days=-2, role="R")
    _owned(campaign, carols, "Partner's mailing", days=-1)
    _owned(campaign, carols, "Next quarter's plan", days=30)  # not due this week: not listed
    SignoffRequest.objects.create(deliverable=late, kind="legal", reviewer=carol.person, due_date=today())

    panel = _ours_panel(alice)
    ours, partners = panel.split("Waiting on your partners", 1)

    assert "1 late for Company A." in ours and "Nothing late" not in ours
    assert "Deliverable: Landing page" in ours and "Partner's mailing" not in ours
    assert "Deliverable: Partner's mailing" in partners and "Company B" in partners
    assert "Legal review: Landing page" in partners  # Carol of Company B reviews it
    assert "Next quarter's plan" not in panel
    assert f'href="/admin/campaigns/deliverable/{late.pk}/change/?next=%2Fadmin%2F"' in panel


def test_the_partner_sees_the_same_work_from_its_side(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    _owned(campaign, member_of_user(campaign, alice), "Landing page", days=-2)
    member_of_user(campaign, carol)

    panel = _ours_panel(carol)
    ours, partners = panel.split("Waiting on your partners", 1)

    assert "Nothing late for Company B." in ours and "Landing page" not in ours
    assert "Deliverable: Landing page" in partners and "Company A" in partners


def test_an_outsider_and_the_operator_see_nothing_of_it(alice, carol, charlie, operator, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    _owned(campaign, member_of_user(campaign, alice), "Landing page", days=-2)

    assert "Landing page" not in admin_of(charlie).get("/admin/").content.decode()
    assert "Late or due for" not in admin_of(operator).get("/admin/").content.decode()  # no company of their own


def test_a_flag_on_my_campaigns_links_to_where_it_is_fixed_and_names_the_company(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    member_of_user(campaign, alice, is_decision_maker=True)
    health_sweep()

    page = html.unescape(admin_of(alice).get("/admin/").content.decode())
    campaigns = page.split('aria-label="Your campaigns"')[1]

    assert "Critical: No decision maker (Company B)</a>" in campaigns
    assert f'href="/admin/campaigns/campaign/{campaign.pk}/change/?next=%2Fadmin%2F"' in campaigns


def test_a_save_from_my_work_returns_to_my_work(alice, carol, company_a, company_b):
    campaign = joint_campaign(company_a, company_b, name="Joint webinar")
    deliverable = _owned(campaign, member_of_user(campaign, alice), "Landing page", days=-2)
    url = f"/admin/campaigns/deliverable/{deliverable.pk}/change/"
    client = admin_of(alice)
    data = {**form_data(client.get(url), "deliverable_form"), "title": "Landing page, final", "_save": "Save"}

    saved = client.post(f"{url}?next=/admin/", data)
    assert saved.status_code == 302 and saved["Location"] == "/admin/"

    again = {**form_data(client.get(url), "deliverable_form"), "title": "Landing page, v3", "_save": "Save"}
    elsewhere = client.post(f"{url}?next=https://evil.example/", again)
    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/admin/campaigns/deliverable/"


def test_a_recently_closed_campaign_stays_with_its_report(alice, carol, company_a, company_b):
    closed = joint_campaign(company_a, company_b, name="Spring roundtable", status=Campaign.Status.CLOSED)
    report = ResultsReport.objects.create(campaign=closed, status=ResultsReport.Status.READY)
    report.pdf.save("results.pdf", ContentFile(b"%PDF-1.4"), save=True)
    joint_campaign(company_a, company_b, name="Without a report", status=Campaign.Status.CANCELLED)

    page = html.unescape(admin_of(alice).get("/admin/").content.decode())
    closed_panel = page.split("<h2>Recently closed</h2>")[1]

    assert "Spring roundtable" in closed_panel and f"/results-reports/{report.pk}/results.pdf" in closed_panel
    assert "Without a report" in closed_panel and "Build its results report" in closed_panel


def test_my_work_reads_the_same_number_of_queries_at_3_and_30_campaigns(alice, carol, company_a, company_b):
    client = admin_of(alice)
    made = 0

    def count_at(campaigns: int) -> int:
        nonlocal made
        for index in range(made, campaigns):
            campaign = joint_campaign(company_a, company_b, name=f"Campaign {index:02}")
            alices, carols = member_of_user(campaign, alice), member_of_user(campaign, carol)
            ours = _owned(campaign, alices, f"Ours {index}", days=-1)
            _owned(campaign, carols, f"Theirs {index}", days=2)
            SignoffRequest.objects.create(deliverable=ours, kind="signoff", reviewer=carol.person, due_date=today())
            closed = joint_campaign(company_a, company_b, name=f"Closed {index}", status=Campaign.Status.CLOSED)
            ResultsReport.objects.create(campaign=closed, status=ResultsReport.Status.READY)
        made = campaigns
        health_sweep()
        return queries_of(lambda: client.get("/admin/"))

    assert count_at(3) == count_at(30)
