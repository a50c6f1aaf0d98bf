"""core.forms.WidgetRenderer writes Django's widget markup without the template engine:
its output must be Django's, byte for byte, for every widget and value it takes on."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from pishkhan.core.forms import WIDGET_RENDERER, JalaliDateInput, PersianFormMixin

ENGINE = DjangoTemplates()
CHOICES = [
    ("", "همه"),
    (1, "یک & <دو>"),
    (2, mark_safe("<b>سه</b>")),
    ('x"y', gettext_lazy("Yes")),
]
GROUPED = [("گروه <۱>", [(1, "الف"), (2, "ب")]), ("", [(3, "پ")]), (4, "ت")]


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="راهنما")
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    number = forms.IntegerField(min_value=0, max_value=9)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=CHOICES)
    typed = forms.TypedChoiceField(choices=CHOICES, coerce=str, required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES[1:])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "disabled": False}))
    when = forms.CharField(widget=JalaliDateInput)
    flag = forms.BooleanField(required=False)  # a checkbox: left to the engine


class Persian(PersianFormMixin, Everything):
    pass


DATA: list[dict[str, Any] | None] = [
    None,
    {},
    {
        "text": 'a "quoted" <tag> & ۱۲۳',
        "search": "x",
        "number": "5",
        "email": "not an address",
        "password": "s3cret&",
        "hidden": "7",
        "choice": "1",
        "typed": 'x"y',
        "grouped": "2",
        "many": ["1", "2"],
        "note": "first line\n<second> & third",
        "when": "۱۴۰۵/۰۹/۱۲",
        "flag": "on",
    },
    {"number": "not a number", "choice": "99", "note": "", "hidden": ""},
]


@pytest.mark.parametrize("data", DATA)
def test_every_widget_is_djangos_markup(data: dict[str, Any] | None) -> None:
    fast = Persian(data, initial={"text": "اول", "number": 3, "grouped": 3})
    slow = Persian(data, initial={"text": "اول", "number": 3, "grouped": 3}, renderer=ENGINE)
    if data is not None:
        fast.is_valid()
        slow.is_valid()
    assert fast.renderer is WIDGET_RENDERER
    for name in Everything.base_fields:
        assert str(fast[name]) == str(slow[name]), name


def test_the_fast_path_is_taken_and_leaves_the_rest_to_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    used: list[str] = []
    engine_render = DjangoTemplates.render

    def spy(self: Any, template_name: str, *args: Any, **kwargs: Any) -> str:
        used.append(template_name)
        return engine_render(self, template_name, *args, **kwargs)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    form = Persian()
    for name in ("text", "choice", "grouped", "note", "hidden", "many"):
        str(form[name])
    assert used == []
    str(form["flag"])
    assert used == ["django/forms/widgets/checkbox.html"]
