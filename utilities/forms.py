"""How forms and widgets render, and form fields of our own."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import Jinja2, TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's own form and widget templates render with Jinja2, from the copies Django ships for it (the same
    markup); the admin's widget templates, and any of ours, render through TEMPLATES.

    Why: the campaign change page draws some 200 widgets. Measured at 10,000 campaigns, the page took 106 ms with
    every widget in Django's template language and 78 ms with Django's widgets in Jinja2.
    """

    jinja2 = Jinja2()

    def get_template(self, template_name):
        if template_name.startswith("django/forms/"):
            return self.jinja2.get_template(template_name)
        return super().get_template(template_name)


class ChoiceByTyping(forms.CharField):
    """One of many people picked by typing, where a select of thousands of names is no choice (and no page: six of
    them for a company of 20,000 took 10 s to draw). Takes an exact e-mail address or name, or the unique start of
    a name, ignoring case; cleans to the chosen value. `named` holds (value, name, e-mail address)."""

    def __init__(self, *, named: list[tuple[object, str, str]], **kwargs):
        super().__init__(max_length=254, **kwargs)
        self.named = named

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        key = text.casefold()
        tests = (
            lambda name, email: email.casefold() == key,
            lambda name, email: name.casefold() == key,
            lambda name, email: name.casefold().startswith(key),
        )
        for fits in tests:
            found = [value for value, name, email in self.named if fits(name, email)]
            if len(found) == 1:
                return found[0]
            if found:
                raise ValidationError(
                    f"“{text}” fits {len(found)} people: type more of the name, or the e-mail address."
                )
        raise ValidationError(f"Nobody here is called “{text}”: type a name or an e-mail address.")
