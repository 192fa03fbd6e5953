"""The project writes some of Django's widget templates more cheaply (comarketing/templates/django/forms): the
markup must stay exactly Django's, whatever Django version is installed."""

from pathlib import Path

import django.forms
import pytest
from django import forms
from django.template import Context, Engine

DJANGOS_OWN = Engine(dirs=[Path(django.forms.__file__).parent / "templates"])

CHOICES = [
    ("", "---------"),
    ("Drafts", [("draft", "Draft & idea"), ("review", "In “review”")]),
    ("published", "Published"),
]


SELECT = forms.Select(choices=CHOICES, attrs={"class": "status", "required": True, "disabled": False})


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (SELECT, "review"),
        (SELECT, None),
        (forms.SelectMultiple(choices=CHOICES), ["draft", "published"]),
        (forms.NullBooleanSelect(), False),
    ],
    ids=["one chosen", "none chosen", "several chosen", "yes/no"],
)
def test_a_select_renders_exactly_as_djangos_own_template_would(widget, value):
    context = widget.get_context("status", value, {"id": "id_status"})
    djangos = DJANGOS_OWN.get_template(widget.template_name).render(Context(context)).strip()  # as forms do

    assert widget.render("status", value, {"id": "id_status"}) == djangos
