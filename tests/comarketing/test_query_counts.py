"""Every admin page (change list, add, change) and every API list and detail route runs the same number of queries
whether the user's company sees 3 or 30 more campaigns, shared with 30 partner companies.

Generated from the admin registry and the OpenAPI schema, like the permission matrix: a new page or route is
measured without being listed here. The demo data gives every model rows; the same row's page is measured at
both sizes, so only the user's world differs.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.test.client import RequestFactory
from rest_framework.test import APIClient

from campaigns.models import Campaign
from partners.models import Organization
from tests.campaigns.factories import DeliverableFactory, RaciAssignmentFactory, joint_campaign, member_of
from tests.comarketing.test_permission_matrix import api_operations
from tests.partners.factories import OrganizationFactory
from tests.querycount import queries_of

PARTNER_COMPANIES = 30
VIEWER = "maria@northwind.example"


def grow(host: Organization, partners: list[Organization], campaigns: int) -> None:
    """`campaigns` more campaigns hosted by `host`, each with a partner, a team on both sides and a deliverable
    with its Responsible and Accountable."""
    for n in range(campaigns):
        partner = partners[n % len(partners)]
        campaign = joint_campaign(host, partner, status=Campaign.Status.PLANNING)
        lead, other = member_of(campaign, host, is_project_lead=True), member_of(campaign, partner)
        deliverable = DeliverableFactory(campaign=campaign)
        RaciAssignmentFactory(deliverable=deliverable, member=lead, role="A")
        RaciAssignmentFactory(deliverable=deliverable, member=other, role="R")


def admin_pages(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(prefix)
        if model_admin.has_add_permission(request):
            pages.append(f"{prefix}add/")
        first = model_admin.get_queryset(request).order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            pages.append(f"{prefix}{first}/change/")
    return pages


def api_routes(client: APIClient) -> list[str]:
    routes = []
    for path, method in api_operations():
        if method != "get" or not path.startswith("/api/") or path.startswith("/api/schema"):
            continue
        if "{id}" not in path:
            routes.append(path)
    details = []
    for path, method in api_operations():
        if method != "get" or not re.fullmatch(r"/api/[\w-]+/\{id\}/", path):
            continue
        listed = client.get(re.sub(r"\{id\}/$", "", path))
        rows = listed.json().get("results", []) if listed.status_code == 200 else []
        if rows and "id" in rows[0]:
            details.append(path.replace("{id}", str(min(row["id"] for row in rows))))
    return routes + details


def measure(pages: list[str], client) -> dict[str, int]:
    counts = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, (page, response.status_code)
        counts[page] = queries_of(lambda page=page: client.get(page))
    return counts


@pytest.mark.django_db
def test_every_admin_page_and_api_route_costs_the_same_queries_for_3_and_30_campaigns():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    viewer = get_user_model().objects.get(username=VIEWER)
    host = viewer.person.organization
    partners = [OrganizationFactory() for _ in range(PARTNER_COMPANIES)]
    browser, api = Client(), APIClient()
    browser.force_login(viewer)
    api.force_authenticate(viewer)

    grow(host, partners, 3)
    pages, routes = admin_pages(viewer), api_routes(api)
    small = {**measure(pages, browser), **measure(routes, api)}
    grow(host, partners, 27)
    large = {**measure(pages, browser), **measure(routes, api)}

    print(f"measured {len(pages)} admin pages and {len(routes)} API routes at both sizes")
    assert len(pages) >= 3 * 20 and len(routes) >= 2 * 25, (len(pages), len(routes))
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert not grown, f"pages whose queries grow with the user's world (3 → 30 campaigns): {grown}"
