"""A Slack message shows people's text as text: a company or campaign name cannot ping a channel or slip its own
link into any field Slack renders; the one link in it is ours."""

import json
import re

import pytest
from django.conf import settings
from django.utils import timezone

from campaigns.models import Flag, Invitation, WebhookDelivery, WebhookEndpoint
from campaigns.outbox.webhooks import webhook_send, webhook_sweep
from tests.campaigns.factories import joint_campaign
from tests.partners.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<!channel> <https://evil.example/login|Sign in>"
SHOWN = "&lt;!channel&gt; &lt;https://evil.example/login|Sign in&gt;"


def every_text(value) -> list[str]:
    """Every string in a Slack payload, however deep (text, blocks, attachments alike)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in every_text(item)]
    if isinstance(value, list):
        return [text for item in value for text in every_text(item)]
    return []


def test_a_hostile_company_and_campaign_name_neither_pings_nor_links_in_any_field(receiver):
    host, hostile = OrganizationFactory(name="Acme"), OrganizationFactory(name=HOSTILE)
    campaign = joint_campaign(host, name=HOSTILE)
    WebhookEndpoint.objects.create(organization=host, name="#partners", url=receiver.url, format="slack")
    now = timezone.now()
    Flag.objects.create(
        campaign=campaign, code="no_decision_maker", severity="critical", title=HOSTILE, opened_at=now, last_seen_at=now
    )
    Invitation.objects.create(
        campaign=campaign, organization=hostile, status=Invitation.Status.ACCEPTED, answered_at=now
    )
    webhook_sweep(enqueue=False)
    delivery_ids = sorted(WebhookDelivery.objects.values_list("pk", flat=True))
    assert [webhook_send(delivery_id=delivery_id).status for delivery_id in delivery_ids] == ["sent", "sent"]

    messages = receiver.bodies()
    assert len(messages) == 2
    for message in messages:
        texts = every_text(message)
        assert texts, message
        for text in texts:
            assert "<!channel>" not in text and "<!" not in text
            assert "<https://evil.example" not in text
            # The only markup left is the link we made, to the tracker.
            for markup in re.findall(r"<([^>]*)>", text):
                assert markup.startswith(settings.SITE_URL.rstrip("/") + "/admin/"), markup
                assert markup.endswith("|Open it in the tracker"), markup
        assert SHOWN in message["text"], message["text"]  # the name still shows, as text
        assert SHOWN in message["blocks"][0]["text"]["text"]
    assert json.loads(receiver.requests[0][1])["text"].endswith("|Open it in the tracker>")
