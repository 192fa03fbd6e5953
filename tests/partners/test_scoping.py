from partners.models import Organization, Person
from partners.scoping import CHANGE
from tests.campaigns.factories import member_of
from tests.partners.factories import PersonFactory


def test_it_shows_own_people_and_partner_people_on_shared_campaigns(
    alice, carol, charlie, shared_campaign, other_campaign
):
    visible = set(Person.objects.for_user(alice))
    assert alice.person in visible
    assert carol.person in visible  # on the shared campaign
    assert charlie.person not in visible  # only on B and C's campaign


def test_it_hides_partner_people_who_are_not_on_a_shared_campaign(alice, company_b, shared_campaign):
    stranger = PersonFactory(organization=company_b)
    assert stranger not in set(Person.objects.for_user(alice))


def test_it_shows_a_point_of_contact_of_a_shared_campaign(alice, company_b, shared_campaign):
    contact = PersonFactory(organization=company_b)
    shared_campaign.parties.filter(organization=company_b).update(point_of_contact=contact)
    assert contact in set(Person.objects.for_user(alice))


def test_it_lets_a_company_edit_only_its_own_people_and_record(alice, carol, company_a, shared_campaign):
    assert set(Person.objects.for_user(alice, CHANGE)) == {alice.person}
    assert list(Organization.objects.for_user(alice, CHANGE)) == [company_a]


def test_it_shows_organizations_sharing_a_campaign_only(
    alice, company_a, company_b, company_c, shared_campaign, other_campaign
):
    assert set(Organization.objects.for_user(alice)) == {company_a, company_b}
    assert set(Organization.objects.for_user(company_user_of(company_c))) == {company_b, company_c}


def test_it_shows_nothing_to_a_login_without_a_company(db, django_user_model, shared_campaign):
    loner = django_user_model.objects.create_user("loner", password="pw", is_staff=True)
    assert not Person.objects.for_user(loner).exists()
    assert not Organization.objects.for_user(loner).exists()


def test_it_shows_everything_to_the_operator(operator, shared_campaign, other_campaign):
    assert Organization.objects.for_user(operator).count() == 3


def test_member_people_stay_visible_across_companies(alice, company_b, shared_campaign):
    teammate_of_partner = member_of(shared_campaign, company_b).person
    assert teammate_of_partner in set(Person.objects.for_user(alice))


def company_user_of(organization):
    from tests.partners.factories import company_user

    return company_user(organization)


def test_own_and_partner_companies_are_read_as_one_condition(alice, company_a, company_b, company_c, shared_campaign):
    """ "Its own or a partner's" is the partners' set alone, which holds the own company: an OR of the two made
    PostgreSQL test every row against a subplan (minutes for a hub's people at 100,000 campaigns)."""
    companies = Organization.objects.for_user(alice)
    people = Person.objects.for_user(alice)

    assert set(companies) == {company_a, company_b}
    assert set(people.values_list("organization", flat=True)) == {company_a.pk, company_b.pk}
    for rows in (companies, people):
        where = str(rows.query).split(" WHERE ", 1)[1]
        assert " OR " not in where


def test_my_work_builds_the_list_of_pages_once_and_still_shows_it(client, alice, monkeypatch):
    """My work shows the list of pages and every admin page's navigation asks for it too: built once per request
    (each build reverses two addresses and asks four permissions per model)."""
    from django.contrib import admin

    builds = []
    build = admin.AdminSite._build_app_dict

    def counted(site, *args, **kwargs):
        builds.append(1)
        return build(site, *args, **kwargs)

    monkeypatch.setattr(admin.AdminSite, "_build_app_dict", counted)
    client.force_login(alice)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert len(builds) == 1
    assert b'href="/admin/campaigns/campaign/"' in response.content
