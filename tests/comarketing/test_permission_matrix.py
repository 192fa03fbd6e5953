"""The permission matrix, generated from the rules each model declares (`ScopedQuerySet.rules`).

Every operation of the OpenAPI schema and every registered admin model is tried as each kind of actor
(host staff, partner staff, invited staff, outsider, a login of no company, the operator) on rows of
every kind the demo data holds. What each actor should get is worked out here, in plain Python, from the
rule and from what the rows are (whose campaign, whose part), never from the SQL the app runs: a rule
whose SQL drifts from its meaning, a route or admin model with no declared rule, or a view that skips
the mechanism fails this test.
"""

import re
from collections import defaultdict
from functools import partial

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.urls import URLPattern, resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from campaigns.models import (
    Campaign,
    CrmImport,
    Flag,
    KpiRound,
    LeadStatusMapping,
    Member,
    Party,
    ReminderOptOut,
    ReportingPlan,
    ToolAccess,
    WebhookDelivery,
    WebhookEndpoint,
)
from meetings.services import calendar_token_create
from partners.models import Organization, Person
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, rules_of
from partners.scoping.api import ScopedModelViewSet
from tests.partners.factories import OrganizationFactory, company_user, identity_provider

ROWS_PER_KIND = 1
HTTP_ACTIONS = {"get": VIEW, "put": CHANGE, "patch": CHANGE, "delete": DELETE}
# Operations that are not about a company's rows, each with why.
PUBLIC_OPERATIONS = {
    ("/api/token/", "post"): "exchanges a password for a token; the token then acts as its login",
    ("/api/token/logout/", "post"): "revokes the token the request carries, nothing else",
    ("/api/token/logout-all/", "post"): "revokes the caller's own tokens, nothing else",
}


# Where the admin is stricter than a model's rule, on purpose; any other difference fails.
ADMIN_NARROWER = {
    ("flag", ADD): "flags are opened by the health sweep",
    ("flag", DELETE): "a resolved flag is the campaign's history",
    ("reminder", ADD): "reminders are queued by sweeps and services",
    ("raciassignment", ADD): "assigned in the deliverable's RACI inline, next to the deliverable",
    ("signoffrequest", ADD): "requests are made when a deliverable goes into review",
    ("kpiround", ADD): "a round is started with the campaign's KPI action, which copies the targets",
    ("meeting", ADD): "meetings come from their series",
    ("actionitem", ADD): "action items are logged in their meeting",
    ("crmimport", CHANGE): "an import is replaced by uploading its period again, never edited",
    ("registrantimport", CHANGE): "a file is counted once, never edited",
    (
        "resultsreport",
        ADD,
    ): "asked for from the campaign's home page (or by the move to Reporting), built in the background",
    ("reminder", CHANGE): "the outbox is written by sweeps; the operator re-sends with an action",
    ("reminder", DELETE): "the outbox is the record of what was sent",
    ("webhookdelivery", ADD): "deliveries are made by the webhook sweep (or the test button)",
    ("webhookdelivery", CHANGE): "a delivery is sent again with an action, never edited",
    ("webhookdelivery", DELETE): "deliveries are the record of what was sent",
    ("reminderoptout", CHANGE): "an opt-out is added or removed, never edited",
    ("signoffrequest", "decide"): "of the reviewer's company, only the named reviewer decides",
    ("campaignkpi", DELETE): "a KPI of an agreed (locked) round stays",
    ("meeting", DELETE): "a meeting is cancelled, never deleted, so its log is never lost",
    ("calendartoken", DELETE): "an address is revoked, so it keeps answering 404",
}


# Actions whose rule names a company but, of its people, lets only some act: "agree" gives a company's word, which its
# decision makers on the campaign give (any of its people while it has named none). Worked out below from the
# team, in plain Python, like the company rules.
COMPANY_WORD_ACTIONS = {"agree"}
# Actions whose rule names a company but, of its people, lets only its decision makers and project leads on the
# campaign act: inviting a company new to the tracker (it makes a login and e-mails an address).
CAMPAIGN_LEAD_ACTIONS = {"invite_new_company"}
# Actions whose rule names the company a budget line belongs to but, of its people, lets only its budget owners on
# the campaign act: approving the line.
BUDGET_OWNER_ACTIONS = {"approve"}


# Every page outside the admin and the API router, with the rule it applies. A new one must be added here.
OTHER_ROUTES = {
    "": "a redirect to the admin",
    "welcome/<uidb64>/<token>/": "a signed, expiring, single-use link (Django's token generator)",
    "answer/<str:token>/": "a signed, expiring, single-use link bound to its recipient (tests/campaigns/test_answers)",
    "api/token/": "exchanges a password for an expiring token (django-rest-knox, django-axes lockout)",
    "api/token/logout/": "revokes the token it is called with",
    "api/token/logout-all/": "revokes every token of the caller's login",
    "api/schema/": "the API's description, no rows",
    "api/docs/": "the API's description, no rows",
    "api/redoc/": "the API's description, no rows",
    "healthz": "database, broker and cache reachable or not, no rows (django-health-check)",
    "readyz": "database, broker and cache reachable or not, no rows (django-health-check)",
    "livez": "the process answers, nothing else",
    "api-auth/login/": "logging in",
    "api-auth/logout/": "logging out",
    "files/brand-assets/<int:pk>/download/": "brand asset: view (tests/campaigns/test_assets.py)",
    "files/budget-lines/<int:pk>/receipt/": "budget line: view (tests/campaigns/test_budget.py)",
    "files/comments/<int:pk>/attachment/": "comment: view (walked below)",
    "files/campaigns/<int:campaign_id>/kpis.csv": "campaign: view (walked below)",
    "files/results-reports/<int:pk>/results.<str:kind>": (
        "results report: view (tests/campaigns/test_results_report.py)"
    ),
    "calendar/<str:secret>.ics": "a personal secret address (tests/meetings/test_feeds.py)",
    "password-reset/": "asks for a reset link by e-mail, the same answer for any address (tests/partners/test_people)",
    "password-reset/sent/": "says a link was sent if the address has a login, no rows",
    "password-reset/<uidb64>/<token>/": "a signed, expiring, single-use link (Django's token generator)",
    "password-reset/done/": "says the password was set, no rows",
    # Both walked in tests/partners/test_single_sign_on.py.
    "sso/": "asks an address and sends the browser to its company's provider, no rows",
    "sso/callback/": "signs in the person their company's provider vouches for, once per sign-in started",
}


# Every page of the admin site outside its registered models (by name), with the rule it applies.
ADMIN_SITE_PAGES = {
    "index": "My work: the signed-in login's own panels, each scoped",
    "login": "logging in (django-axes lockout)",
    "logout": "logging out",
    "password_change": "the signed-in login's own password",
    "password_change_done": "says the password was changed, no rows",
    "autocomplete": "answers through the asking model admin's scoped choices",
    "jsi18n": "the admin's translations, no rows",
    "app_list": "the models the login may see, each scoped",
    "(?P<url>.*)$": "Django's catch-all: a missing page, or the login page for a visitor",
    "view_on_site": "the scoped shortcut: a hidden row is not found (ScopedAdminSite.scoped_shortcut)",
    "two_factor": "the signed-in login's own two-factor sign-in, no row of anyone's (walked below)",
    "two_factor_code": "the signed-in login gives its own second factor (walked below)",
    "two_factor_setup": "the signed-in login sets up its own authenticator (walked below)",
}


def leaf_routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            if route in ("admin/", "api/"):
                continue  # walked through the admin registry and the OpenAPI schema
            yield from leaf_routes(pattern.url_patterns, route)
        else:
            yield route


def test_every_other_page_declares_its_rule_and_the_kpi_export_follows_it(world, client):
    from django.urls import get_resolver

    undeclared = sorted(set(leaf_routes(get_resolver().url_patterns)) - set(OTHER_ROUTES))
    assert not undeclared, f"pages with no declared rule: {undeclared}"
    facts = Facts()
    for actor in world:
        client.force_login(actor.user)
        for campaign in Campaign.objects.all():
            got = client.get(f"/files/campaigns/{campaign.pk}/kpis.csv").status_code
            assert got == (200 if actor.allowed(facts, campaign, VIEW) else 404), (actor.kind, campaign.name, got)


class Rollback(Exception):
    pass


def follow(row, path: str):
    """The object at `path` ("questionnaire__campaign") from `row`; "pk" is the row itself."""
    if path == "pk":
        return row
    for name in path.split("__"):
        row = getattr(row, name)
        if row is None:
            return None
    return row


class Facts:
    """What the rows are, read once from the database as plain data: who takes part where, in what role."""

    def __init__(self):
        self.roles = defaultdict(dict)  # campaign id -> {organization id: role} (current parties)
        for campaign_id, organization_id, role in Party.objects.values_list("campaign_id", "organization_id", "role"):
            self.roles[campaign_id][organization_id] = role
        self.shared_with = defaultdict(set)  # organization id -> organizations it shares a campaign with
        self.people_seen_by = defaultdict(set)  # organization id -> people on its campaigns' teams or contacts
        members = defaultdict(set)
        for campaign_id, person_id in Member.objects.values_list("campaign_id", "person_id"):
            members[campaign_id].add(person_id)
        for campaign_id, contact_id in Party.objects.exclude(point_of_contact=None).values_list(
            "campaign_id", "point_of_contact_id"
        ):
            members[campaign_id].add(contact_id)
        for campaign_id, roles in self.roles.items():
            for organization_id in roles:
                self.shared_with[organization_id] |= set(roles)
                self.people_seen_by[organization_id] |= members[campaign_id]
        self.leads = set(  # (campaign id, person id) of every decision maker and project lead
            Member.objects.filter(Q(is_decision_maker=True) | Q(is_project_lead=True)).values_list(
                "campaign_id", "person_id"
            )
        )
        self.administrators = dict(  # login id -> the company it administers
            Person.objects.filter(is_company_admin=True, is_active=True)
            .exclude(user=None)
            .values_list("user_id", "organization_id")
        )
        self.budget_owners = set(  # (campaign id, person id) of every budget owner
            Member.objects.filter(is_budget_owner=True).values_list("campaign_id", "person_id")
        )
        self.receivers = {}  # campaign id -> companies the lead-sharing terms of its last agreed round name
        for campaign_id, terms in (
            KpiRound.objects.filter(locked_at__isnull=False, agreed_lead_terms__isnull=False)
            .order_by("campaign_id", "number")
            .values_list("campaign_id", "agreed_lead_terms")
        ):
            self.receivers[campaign_id] = {share["organization"] for share in terms["shares"]}
        self.decision_makers = defaultdict(set)  # (campaign id, organization id) -> its decision makers' people
        for campaign_id, organization_id, person_id in Member.objects.filter(is_decision_maker=True).values_list(
            "campaign_id", "person__organization_id", "person_id"
        ):
            self.decision_makers[campaign_id, organization_id].add(person_id)

    def gives_company_word(self, row, actor) -> bool:
        """Whether the actor may give their company's word on the row's campaign: one of its decision makers
        there, or any of its people while it has named none."""
        campaign = follow(row, rules_of(type(row)).campaign_path)
        makers = self.decision_makers[campaign.pk, actor.organization_id]
        return not makers or actor.person_id in makers

    def relations(self, row, actor) -> set[str]:
        """The relations between an actor's company and a row, by the meaning each rule word has."""
        model = type(row)
        queryset_class = rules_of(model)
        organization_id, user = actor.organization_id, actor.user
        found = set()
        for relation in set().union(*(rule.relations for rule in queryset_class.rules.values())):
            if organization_id is None:
                continue
            if self._holds(relation, row, queryset_class, organization_id, user):
                found.add(relation)
        return found

    def _holds(self, relation, row, queryset_class, organization_id, user) -> bool:
        model_name = type(row).__name__
        campaign = follow(row, queryset_class.campaign_path) if hasattr(queryset_class, "campaign_path") else None
        roles = self.roles.get(campaign.pk, {}) if campaign is not None else {}
        if relation == "party":
            return organization_id in roles
        if relation == "host":
            return roles.get(organization_id) == Party.Role.HOST
        if relation == "owner" and model_name == "Organization":
            return row.pk == organization_id
        if relation == "owner" and model_name == "Person":
            return row.organization_id == organization_id
        if relation == "admin of owner" and model_name == "Organization":  # the actor administers that company
            return row.pk == organization_id and self.administrators.get(user.pk) == organization_id
        if relation == "admin of owner":  # a person of the actor's company, and the actor administers it
            return row.organization_id == organization_id and self.administrators.get(user.pk) == organization_id
        if relation == "owner":
            owner = follow(row, queryset_class.owner_path)
            return owner is not None and owner.pk == organization_id
        if relation == "partner" and model_name == "Organization":
            return row.pk in self.shared_with[organization_id]
        if relation == "partner" and model_name == "Person":
            return row.pk in self.people_seen_by[organization_id]
        if relation == "channel":
            if row.channel_party_id is not None:
                return row.channel_party.organization_id == organization_id
            return roles.get(organization_id) == Party.Role.HOST
        if relation == "vendor":
            return row.vendor_id == organization_id
        if relation == "partner company":
            return row.partner_id == organization_id
        if relation == "invitee":
            return row.organization_id == organization_id
        if relation == "self" and model_name == "CalendarToken":
            return row.owner_id == user.pk
        if relation == "self":
            return row.person.user_id == user.pk
        if relation == "built-in":
            return row.campaign_id is None
        if relation == "shipped":
            return follow(row, queryset_class.owner_path) is None
        if relation == "pending":
            return row.status == "pending"
        if relation == "open":  # the row's campaign is neither closed nor cancelled
            return campaign.status not in Campaign.CLOSED_STATUSES
        if relation == "shared":
            return row.is_shared
        if relation == "not private":  # a comment not marked "only my company"
            return not row.only_my_company
        if relation == "author":
            return row.author is not None and row.author.user_id == user.pk
        if relation == "receiver":  # named by the lead-sharing terms every company agreed last
            return organization_id in self.receivers.get(campaign.pk, set())
        raise AssertionError(f"{model_name}: the matrix does not know what the relation “{relation}” means")


class Actor:
    def __init__(self, kind: str, user):
        self.kind, self.user = kind, user
        person = getattr(user, "person", None) if not user.is_superuser else None
        self.organization_id = person.organization_id if person else None
        self.person_id = person.pk if person else None

    def allowed(self, facts: Facts, row, action: str) -> bool:
        if self.user.is_superuser:
            return True
        company_may = rules_of(type(row)).rule_for(action).allows(facts.relations(row, self))
        if action in COMPANY_WORD_ACTIONS:
            return company_may and facts.gives_company_word(row, self)
        if action in CAMPAIGN_LEAD_ACTIONS:
            return company_may and (row.pk, self.person_id) in facts.leads
        if action in BUDGET_OWNER_ACTIONS:
            return company_may and (row.campaign_id, self.person_id) in facts.budget_owners
        return company_may

    def kind_towards(self, facts: Facts, row) -> str:
        """Host staff, partner staff, invited staff, outsider… as this row's campaign sees the actor."""
        if self.user.is_superuser or self.organization_id is None:
            return self.kind
        queryset_class = rules_of(type(row))
        campaign = follow(row, queryset_class.campaign_path) if hasattr(queryset_class, "campaign_path") else None
        if campaign is None:
            return "own company" if facts.relations(row, self) & {"owner", "self"} else "other company"
        role = facts.roles.get(campaign.pk, {}).get(self.organization_id)
        if role:
            return f"{role} staff"
        if campaign.invitations.filter(organization_id=self.organization_id, status="pending").exists():
            return "invited staff"
        return "outsider"


def row_kind(facts: Facts, row, actors) -> tuple:
    """Rows that every actor relates to in the same way are of one kind."""
    return tuple(frozenset(facts.relations(row, actor)) for actor in actors)


@pytest.fixture
def world(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    outsider_company = OrganizationFactory(name="Outsider Ltd")
    outsider = company_user(outsider_company, name="Olga Outsider")
    # The demo has no flag, opt-out, tool access or calendar subscription: add one of each.
    webinar = Campaign.objects.get(name="Forecasting with real data — joint webinar")
    now = webinar.created_at
    Flag.objects.create(
        campaign=webinar,
        code="no_decision_maker",
        severity="critical",
        title="No decision maker",
        opened_at=now,
        last_seen_at=now,
    )
    maria, jonas, hana = (
        get_user_model().objects.get(username=f"{n}")
        for n in ("maria@northwind.example", "jonas@bluefin.example", "hana@cobalt.example")
    )
    ReminderOptOut.objects.create(person=maria.person, kind="weekly_digest")
    member = Member.objects.filter(campaign=webinar, person__organization=jonas.person.organization).first()
    ToolAccess.objects.create(member=member, tool=ToolAccess.Tool.choices[0][0], confirmed_by=jonas.person)
    calendar_token_create(user=jonas, campaign=webinar)
    pilot_plan = ReportingPlan.objects.get(campaign__kind=Campaign.Kind.CO_SELLING)
    LeadStatusMapping.objects.create(
        plan=pilot_plan, organization=jonas.person.organization, crm_status="Open", shared_stage="new"
    )
    CrmImport.objects.create(
        campaign=webinar,
        organization=jonas.person.organization,
        period_start=now.date(),
        period_end=now.date(),
        file_name="leads.csv",
        file_sha256="0" * 64,
        imported_by=jonas.person,
    )
    hook = WebhookEndpoint.objects.create(
        organization=jonas.person.organization, name="Slack", url="https://hooks.example.com/x"
    )
    WebhookDelivery.objects.create(endpoint=hook, event="test", subject="test:1", occurred_at=now, next_attempt_at=now)
    # Bluefin signs in through its own provider: only its administrators (and the operator) see or change that.
    identity_provider(jonas.person.organization, issuer="https://login.bluefin.example", domains=["bluefin.example"])
    nobody = get_user_model().objects.create_user("no-company", password="x", is_staff=True)
    priya = get_user_model().objects.get(username="priya@northwind.example")
    # Each company's first person administers it (the rule "govern" on people): the host's and the partners'
    # administrators, an outsider's, and a colleague who is none are all walked.
    assert all(user.person.is_company_admin for user in (maria, jonas, hana, outsider))
    assert not priya.person.is_company_admin
    return [
        Actor("Northwind staff (its administrator)", maria),
        Actor("Northwind staff, not its decision maker nor administrator", priya),
        Actor("Bluefin staff (its administrator)", jonas),
        Actor("Cobalt staff (its administrator)", hana),
        Actor("outsider (its company's administrator)", outsider),
        Actor("login of no company", nobody),
        Actor("operator", get_user_model().objects.get(is_superuser=True)),
    ]


def sample_rows(queryset, facts, actors):
    """A few rows of every kind found: one row per distinct way the actors relate to rows. A model with no row
    in the world would be walked by nobody, so it fails the test."""
    assert queryset.exists(), f"the matrix's world has no {queryset.model._meta.verbose_name}: add one"
    picked, seen = [], defaultdict(int)
    for row in queryset.order_by("pk")[:400]:
        kind = row_kind(facts, row, actors)
        if seen[kind] < ROWS_PER_KIND:
            seen[kind] += 1
            picked.append(row)
    return picked


def rolled_back(call):
    """Run a request and undo whatever it wrote, so every case starts from the same rows."""
    try:
        with transaction.atomic():
            response = call()
            raise Rollback(response)
    except Rollback as done:
        return done.args[0]


def expected_page_status(visible: bool, allowed: bool) -> int:
    """An admin page acting on one row: "not found" for a row the actor may not see (a login of no company sees
    none), refused (403) when they may see it but not act on it."""
    if not visible:
        return 404
    return 200 if allowed else 403


def expected_status(actor: "Actor", rule, visible: bool, allowed: bool) -> str:
    """What an actor should get for an action on a row. An action no company may ever do, or a login of no
    company, is refused outright (403 names no row, so it tells nothing); otherwise a row the actor may not
    see is "not found", like a missing one, and a visible row is refused (403) unless the rule allows it."""
    if actor.user.is_superuser:
        return "allowed"
    if actor.organization_id is None or rule == NOBODY:
        return "403"
    if not visible:
        return "404"
    return "allowed" if allowed else "403"


def observed_status(code: int) -> str:
    if code >= 500:
        return f"server error {code}"
    if code in (403, 404):
        return str(code)
    return "allowed" if code < 500 else str(code)


def api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method


def resolve_operation(path: str, method: str):
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    viewset = getattr(match.func, "cls", None)
    action = getattr(match.func, "actions", {}).get(method)
    return viewset, action


def rule_action_of(viewset, action: str) -> str:
    view = viewset()
    view.action = action
    return view.required_action()


def test_every_api_operation_and_admin_model_follows_the_declared_rules(world, client):
    actors = world
    facts = Facts()
    failures, cases = [], 0
    api = APIClient()

    # --- The API: every operation of the schema.
    for path, method in api_operations():
        viewset, action = resolve_operation(path, method)
        if (path, method) in PUBLIC_OPERATIONS:
            continue
        if viewset is None or not issubclass(viewset, ScopedModelViewSet):
            failures.append(f"{method.upper()} {path}: not a scoped viewset and not declared public")
            continue
        model = viewset.queryset.model
        try:
            rule_action = rule_action_of(viewset, action)
            rule = rules_of(model).rule_for(rule_action)
        except Exception as undeclared:  # noqa: BLE001 — any missing declaration is the failure reported
            failures.append(f"{method.upper()} {path}: {undeclared}")
            continue
        detail = "{id}" in path
        for actor in actors:
            api.force_authenticate(actor.user)
            if not detail and method == "get":
                cases += 1
                listed = api.get(path, {"page_size": 1000})
                want = "403" if actor.organization_id is None and not actor.user.is_superuser else "allowed"
                if observed_status(listed.status_code) != want:
                    failures.append(f"GET {path} as {actor.kind}: {listed.status_code}, expected {want}")
                continue
            if not detail:  # create, or a campaign-wide action: an empty body must not pass the authority check
                cases += 1
                response = rolled_back(partial(api.generic, method, path, "{}", "application/json"))
                refused = response.status_code in (403, 405)
                may_add = actor.user.is_superuser or (actor.organization_id is not None and rule != NOBODY)
                if response.status_code >= 500 or (refused and may_add and response.status_code == 403):
                    failures.append(
                        f"{method.upper()} {path} as {actor.kind}: {response.status_code} {response.content[:200]}"
                    )
                if not may_add and not refused:
                    failures.append(
                        f"{method.upper()} {path} as {actor.kind}: {response.status_code}, expected a refusal"
                    )
                continue
            for row in sample_rows(viewset.queryset.model._default_manager.all(), facts, actors):
                cases += 1
                url = path.replace("{id}", str(row.pk))
                visible = actor.allowed(facts, row, VIEW)
                allowed = actor.allowed(facts, row, rule_action)
                response = rolled_back(partial(api.generic, method, url, "{}", "application/json"))
                want, got = expected_status(actor, rule, visible, allowed), observed_status(response.status_code)
                if want != got:
                    failures.append(
                        f"{method.upper()} {path} as {actor.kind} ({actor.kind_towards(facts, row)}) "
                        f"on {model.__name__} #{row.pk}: expected {want}, "
                        f"got {response.status_code} {response.content[:160]!r}"
                    )
        api.force_authenticate(None)

    # --- The admin: every registered model.
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        queryset_class = rules_of(model)
        for actor in actors:
            client.force_login(actor.user)
            cases += 1
            changelist = client.get(base)
            if queryset_class is None:
                # Not a company's data (logins, schedules): the operator's alone.
                want = 200 if actor.user.is_superuser else 403
                if changelist.status_code != want:
                    failures.append(f"admin {base} as {actor.kind}: {changelist.status_code}, expected {want}")
                continue
            has_perm = actor.user.is_superuser or actor.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            if changelist.status_code != (200 if has_perm else 403):
                failures.append(f"admin {base} as {actor.kind}: {changelist.status_code}")
            if changelist.status_code == 200:
                cases += 1
                may_add = actor.user.is_superuser or (
                    actor.organization_id is not None
                    and queryset_class.rule_for(ADD) != NOBODY
                    and actor.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
                )
                got = model_admin.has_add_permission(changelist.wsgi_request)
                if got != may_add and not (not got and (opts.model_name, ADD) in ADMIN_NARROWER):
                    failures.append(
                        f"admin {base} as {actor.kind}: add {'allowed' if got else 'refused'}, the rule says otherwise"
                    )
            for row in sample_rows(model._default_manager.all(), facts, actors):
                cases += 1
                visible = actor.allowed(facts, row, VIEW)
                page = client.get(f"{base}{row.pk}/change/")
                got = page.status_code
                if visible and has_perm and got != 200 or not visible and got == 200:
                    failures.append(f"admin {base}{row.pk}/change/ as {actor.kind}: {got}, visible={visible}")
                if got != 200:
                    continue
                request = page.wsgi_request
                checks = (
                    (model_admin.change_action, model_admin.has_change_permission),
                    (DELETE, model_admin.has_delete_permission),
                )
                for action, check in checks:
                    perm_action = CHANGE if action not in (CHANGE, DELETE) else action
                    perm = actor.user.is_superuser or actor.user.has_perm(
                        f"{opts.app_label}.{perm_action}_{opts.model_name}"
                    )
                    want, got = perm and actor.allowed(facts, row, action), check(request, row)
                    if got == want or (not got and (opts.model_name, action) in ADMIN_NARROWER):
                        continue
                    failures.append(
                        f"admin {opts.model_name} #{row.pk} as {actor.kind} ({actor.kind_towards(facts, row)}): "
                        f"{action} {'allowed' if got else 'refused'}, the rule says otherwise"
                    )
            # Pages acting on one row (withdraw, supersede…), each with the rule it declares.
            for name, action in getattr(model_admin, "row_actions", {}).items():
                for row in sample_rows(model._default_manager.all(), facts, actors):
                    cases += 1
                    want = expected_page_status(actor.allowed(facts, row, VIEW), actor.allowed(facts, row, action))
                    got = client.get(f"{base}{row.pk}/{name}/").status_code
                    if got != want:
                        failures.append(
                            f"admin {base}{row.pk}/{name}/ as {actor.kind} ({actor.kind_towards(facts, row)}): "
                            f"{got}, expected {want}"
                        )
        client.logout()

    print(f"\npermission matrix: {cases} (route, actor, row) cases")
    assert not failures, f"{len(failures)} of {cases} cases break the declared rules:\n" + "\n".join(failures[:60])


def test_inviting_a_company_new_to_the_tracker_follows_its_rule_in_the_api_and_the_admin(world, client, settings):
    """The campaign rule "invite_new_company" (the host, and of its people its decision makers and project leads on
    the campaign), tried by every actor on every campaign through both doors, each try rolled back. A campaign the
    actor does not see is no choice of the body's `campaign` (400, like a missing one); a closed one takes no new
    company (400); a visible one the actor may not invite to is refused (403)."""
    settings.INVITATIONS_PER_COMPANY_PER_DAY = settings.NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY = 10_000
    facts, api = Facts(), APIClient()
    failures, cases, kinds = [], 0, set()
    body = {"company_name": "Brand New Ltd", "contact_name": "Nia New", "contact_email": "nia@brand-new.example"}
    for campaign in Campaign.objects.order_by("pk"):
        for actor in world:
            allowed = actor.allowed(facts, campaign, "invite_new_company")
            if actor.organization_id is None and not actor.user.is_superuser:
                want = 403
            elif not actor.allowed(facts, campaign, VIEW):
                want = 400
            elif not allowed:
                want = 403
            else:
                want = 201 if campaign.is_open else 400
            api.force_authenticate(actor.user)
            answer = rolled_back(
                partial(api.post, "/api/invitations/", {"campaign": campaign.pk, **body}, format="json")
            ).status_code
            client.force_login(actor.user)
            page = rolled_back(
                partial(client.post, "/admin/campaigns/invitation/add/", {"campaign": campaign.pk, **body})
            ).status_code
            cases += 2
            kinds.add((actor.kind_towards(facts, campaign), want))
            who = f"{actor.kind} ({actor.kind_towards(facts, campaign)}) on {campaign.name}"
            if answer != want:
                failures.append(f"API as {who}: {answer}, expected {want}")
            if actor.user.has_perm("campaigns.add_invitation") and page != (302 if want == 201 else 200):
                failures.append(f"admin as {who}: {page}, expected {302 if want == 201 else 200}")
    print(f"\nnew-company invitations: {cases} cases")
    assert not failures, "\n".join(failures)
    # The world holds every case: a host lead who may, a host person who is no lead, a partner, an outsider.
    assert {("host staff", 201), ("host staff", 403), ("partner staff", 403), ("outsider", 400)} <= kinds, kinds


def test_every_admin_site_page_declares_its_rule_and_the_two_factor_pages_are_each_logins_own(world, client):
    """The two-factor pages act on the signed-in login alone: each actor sees their own page, may set up their own
    authenticator, and is asked for no code they do not owe; without a login they lead to the login page."""
    patterns = [pattern for pattern in admin.site.get_urls() if isinstance(pattern, URLPattern)]
    pages = {pattern.name or str(pattern.pattern) for pattern in patterns}
    assert pages == set(ADMIN_SITE_PAGES), f"admin pages with no declared rule: {sorted(pages - set(ADMIN_SITE_PAGES))}"
    for path in ("/admin/two-factor/", "/admin/two-factor/code/", "/admin/two-factor/set-up/"):
        assert client.get(path)["Location"].startswith("/admin/login/")
    for actor in world:
        client.force_login(actor.user)
        own = client.get("/admin/two-factor/")
        assert own.status_code == 200 and "Only your password protects your login." in own.content.decode(), actor.kind
        assert client.get("/admin/two-factor/code/")["Location"] == "/admin/", actor.kind  # no code owed
        setup = rolled_back(partial(client.get, "/admin/two-factor/set-up/"))
        assert setup.status_code == 200, actor.kind
        assert "QR code to scan with your authenticator app" in setup.content.decode(), actor.kind
        client.logout()


def test_requiring_two_factor_follows_the_rule_govern_in_the_api_and_the_admin(world, client):
    """A company's two-factor requirement (the organization rule "govern": its administrators alone), tried by every
    actor on every company through both doors, each try rolled back: a company the actor does not see is not found,
    one it sees but does not govern is refused (403), and the admin offers the field to tick only to those who may."""
    facts, api = Facts(), APIClient()
    failures, kinds = [], set()
    rule = rules_of(Organization).rule_for("govern")
    for organization in Organization.objects.order_by("pk"):
        for actor in world:
            visible, allowed = actor.allowed(facts, organization, VIEW), actor.allowed(facts, organization, "govern")
            want = expected_status(actor, rule, visible, allowed)
            api.force_authenticate(actor.user)
            answer = rolled_back(
                partial(
                    api.patch, f"/api/organizations/{organization.pk}/", {"requires_two_factor": True}, format="json"
                )
            )
            got = observed_status(answer.status_code)
            client.force_login(actor.user)
            page = client.get(f"/admin/partners/organization/{organization.pk}/change/")
            editable = page.status_code == 200 and 'name="requires_two_factor"' in page.content.decode()
            who = f"{actor.kind} on {organization.name}"
            kinds.add((actor.kind_towards(facts, organization), want))
            if got != want:
                failures.append(f"API as {who}: {answer.status_code}, expected {want}")
            if editable != allowed:
                failures.append(f"admin as {who}: the field {'offered' if editable else 'not offered'} to tick")
    assert not failures, "\n".join(failures)
    assert not Organization.objects.filter(requires_two_factor=True).exists()
    assert {("own company", "allowed"), ("own company", "403"), ("other company", "403")} <= kinds, kinds
    assert ("other company", "404") in kinds, kinds
