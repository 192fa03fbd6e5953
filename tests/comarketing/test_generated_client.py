"""A client generated from the schema by a tool nobody here wrote (openapi-python-client) imports and runs a joint
campaign's first days against a live server: the host gets a token and creates a campaign from the shipped webinar
template, inviting company B; company B's user gets a token, accepts, reports a KPI figure and reads the plan; the
host sees the figure. Every answer is parsed into the generated typed models, so a write the generator cannot
call, or an answer that strays from the schema (a null it was not told about), fails here."""

import contextlib
import datetime
import importlib
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command

PACKAGE = "comarketing_client"

# A live server. The shipped templates are rows a migration wrote: put back if another test flushed them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_data")]


@pytest.fixture
def generated(tmp_path):
    """The schema exported with `manage.py spectacular`, a client package generated from it (offline: no formatting
    hooks), importable from the temporary folder while the test runs."""
    schema = tmp_path / "schema.json"
    call_command("spectacular", "--file", str(schema), "--format", "openapi-json", "--validate", "--fail-on-warn")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema), "--meta", "none"]
    command += ["--config", str(config), "--output-path", str(tmp_path / PACKAGE), "--fail-on-warning"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def login(generated, live_server):
    """A logged-in generated client for a user: POST /api/token/, then the token sent the way DRF-knox reads it.
    Their connections are closed before the live server stops."""
    client, models = generated("client"), generated("models")
    with contextlib.ExitStack() as clients:

        def login(user):
            anonymous = clients.enter_context(client.Client(base_url=live_server.url))
            answer = generated("api.token.token_create").sync(
                client=anonymous, body=models.TokenCredentialsRequest(username=user.username, password="pw")
            )
            assert isinstance(answer, models.ApiToken), answer
            assert answer.expiry > datetime.datetime.now(datetime.UTC)
            logged_in = client.AuthenticatedClient(
                base_url=live_server.url, token=answer.token, prefix="Token", raise_on_unexpected_status=True
            )
            return clients.enter_context(logged_in)

        yield login


def test_a_generated_client_runs_a_campaigns_first_days(generated, login, alice, carol, company_b):
    models = generated("models")
    host = login(alice)
    templates = generated("api.campaign_templates.campaign_templates_list").sync(
        client=host, kind=models.CampaignTemplatesListKind.JOINT_WEBINAR
    )
    template = next(template for template in templates.results if template.name == "Joint webinar")
    event = datetime.date.today() + datetime.timedelta(days=60)
    campaign = generated("api.campaigns.campaigns_create").sync(
        client=host,
        body=models.CampaignRequest(
            name="Forecasting webinar with B",
            kind=models.CampaignKindEnum.JOINT_WEBINAR,
            launch_date=event,
            template=template.id,
            invite=company_b.pk,
            invite_message="Shall we run it together?",
        ),
    )
    assert isinstance(campaign, models.Campaign), campaign
    assert (campaign.name, campaign.launch_date, campaign.end_date, campaign.status) == (
        "Forecasting webinar with B",
        event,
        None,
        models.CampaignStatusEnum.DRAFT,
    )
    assert [party.organization_name for party in campaign.parties] == ["Company A"]

    partner = login(carol)
    (invitation,) = generated("api.invitations.invitations_list").sync(client=partner).results
    assert (invitation.campaign_name, invitation.host_name, invitation.launch_date, invitation.end_date) == (
        "Forecasting webinar with B",
        "Company A",
        event,
        None,
    )
    accepted = generated("api.invitations.invitations_accept_create").sync(invitation.id, client=partner)
    assert isinstance(accepted, models.Invitation), accepted
    assert (accepted.status, accepted.status_label) == (models.InvitationStatusEnum.ACCEPTED, "Accepted")

    kpis = generated("api.campaign_kpis.campaign_kpis_list").sync(client=partner, campaign=campaign.id).results
    registrations = next(kpi for kpi in kpis if kpi.metric_name == "Registrations")
    today = datetime.date.today()
    figure = generated("api.kpi_measurements.kpi_measurements_create").sync(
        client=partner,
        body=models.KpiMeasurementRequest(
            campaign=campaign.id,
            kpi=registrations.id,
            period_start=today - datetime.timedelta(days=6),
            period_end=today,
            value="42",
        ),
    )
    assert isinstance(figure, models.KpiMeasurement), figure
    assert (figure.metric_name, Decimal(figure.value), figure.reported_by_name) == ("Registrations", 42, "Carol")

    plan = generated("api.campaigns.campaigns_plan_retrieve").sync(campaign.id, client=partner)
    assert isinstance(plan, models.CampaignPlan), plan
    assert plan.event_date == event
    due = {line.title: line.due_date for line in plan.deliverables}
    assert len(due) == 11 and due["The live webinar"] == event
    assert due["Landing page"] < due["Invitation e-mail (partner list)"] < due["Slide deck"] < event
    assert all(line.latest_safe_start <= line.due_date for line in plan.deliverables)

    seen_by_host = generated("api.campaign_kpis.campaign_kpis_retrieve").sync(registrations.id, client=host)
    assert (Decimal(seen_by_host.latest_value), seen_by_host.latest_period_end) == (42, today)
