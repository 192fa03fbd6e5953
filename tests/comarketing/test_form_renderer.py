"""Forms render Django's own widget templates with Jinja2 (utilities.forms.FormRenderer): the markup must stay
exactly what Django's template language would draw, whatever Django version is installed, admin widgets
included."""

import re

import pytest
from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.forms.renderers import DjangoTemplates
from django.test.utils import override_settings
from django.urls import reverse

from tests.campaigns.factories import DeliverableFactory
from utilities.forms import FormRenderer

CHOICES = [
    ("", "---------"),
    ("Drafts", [("draft", "Draft & idea"), ("review", "In “review”")]),
    ("published", "Published"),
]


class EveryKindOfField(forms.Form):
    status = forms.ChoiceField(choices=CHOICES, help_text="Where it stands")
    statuses = forms.MultipleChoiceField(choices=CHOICES, required=False)
    signed_off = forms.NullBooleanField(required=False)
    pinned = forms.BooleanField()
    notes = forms.CharField(widget=forms.Textarea, max_length=10)
    due = forms.DateField(widget=AdminDateWidget)
    starts = forms.SplitDateTimeField(widget=AdminSplitDateTime)
    channel = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)


def rendered(form_class, renderer, data=None) -> str:
    form = form_class(data=data, renderer=renderer)
    return str(form)


@pytest.mark.parametrize(
    "data",
    [None, {"status": "review", "statuses": ["draft", "published"], "notes": "far more than ten", "starts_0": "x"}],
    ids=["blank", "with values and errors"],
)
def test_a_form_renders_as_djangos_template_language_would(data):
    ours = rendered(EveryKindOfField, FormRenderer(), data)
    djangos = rendered(EveryKindOfField, DjangoTemplates(), data)

    assert _markup(ours) == _markup(djangos)
    assert "Draft &amp; idea" in ours  # escaped once, not twice


def test_djangos_widget_templates_come_from_jinja2_and_the_admins_from_templates():
    renderer = FormRenderer()

    assert type(renderer.get_template("django/forms/widgets/select.html")).__module__.endswith("jinja2")
    assert type(renderer.get_template("admin/widgets/date.html")).__module__.endswith("django")


def test_the_campaign_change_page_is_the_same_page_as_with_djangos_template_language(client, carol, shared_campaign):
    DeliverableFactory(campaign=shared_campaign, title="Joint landing page")  # a row carol may change
    client.force_login(carol)
    url = reverse("admin:campaigns_campaign_change", args=[shared_campaign.pk])

    ours = client.get(url).content.decode()
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        djangos = client.get(url).content.decode()

    assert "Joint landing page" in ours
    assert _markup(ours) == _markup(djangos)


def _markup(html: str) -> str:
    """The page without what differs by request (the CSRF token) or means nothing in HTML (whitespace runs)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()
