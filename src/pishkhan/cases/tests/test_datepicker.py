"""Which staff pages load the Jalali date picker: those with a Jalali date input (every
one marked ``data-datepicker``), and no others."""

from __future__ import annotations

import re

from django.urls import reverse

from pishkhan.cases.fields import FieldSpec, form_field
from pishkhan.cases.forms import VisitReportForm
from pishkhan.core.forms import JalaliDateInput
from pishkhan.core.templatetags.persian import has_datepicker
from pishkhan.testing.personas import City, client_for, walk_to

SCRIPT = "pishkhan/datepicker.js"


def test_every_jalali_date_input_is_marked_for_the_picker() -> None:
    date = form_field(FieldSpec(code="letter_date", label="تاریخ نامه", type="date"))
    text = form_field(FieldSpec(code="letter_number", label="شماره نامه", type="text"))
    assert "data-datepicker" in date.widget.attrs
    assert "data-datepicker" not in text.widget.attrs
    assert "data-datepicker" in JalaliDateInput().attrs
    visit = VisitReportForm()
    assert has_datepicker(visit)
    assert [n for n, f in visit.fields.items() if "data-datepicker" in f.widget.attrs] == [
        "visited_on"
    ]
    assert not has_datepicker(None)


def test_the_pages_with_a_date_input_load_the_picker_and_the_others_do_not(
    world: City,
) -> None:
    case = world.open_case()
    alice = client_for(world.alice)
    cartable = alice.get(reverse("cases:cartable")).content.decode()
    assert SCRIPT in cartable
    marked = re.findall(r'<input[^>]*data-datepicker[^>]*name="([a-z_]+)"', cartable)
    marked += re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*data-datepicker', cartable)
    assert sorted(marked) == ["date_from", "date_to"]
    # the notary's letter date is a declared date field of the registration
    new = alice.get(reverse("cases:new"), {"service": "inquiry_notary"}).content.decode()
    assert SCRIPT in new
    assert 'name="field_letter_date"' in new
    # the case page: the correction of the letter's date at registration …
    assert SCRIPT in alice.get(reverse("cases:detail", args=[case.pk])).content.decode()
    frank = client_for(world.frank)  # … which the follow-up officer may not correct
    assert SCRIPT not in frank.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # … the inspector's visit form has one
    visiting = walk_to(world, world.open_case(), "awaiting_visit")
    page = client_for(world.bob).get(reverse("cases:detail", args=[visiting.pk]))
    assert SCRIPT in page.content.decode()
    search = alice.post(reverse("cases:search"), {"q": "x"}).content.decode()
    assert SCRIPT not in search
    follow_up = client_for(world.frank).get(reverse("cases:follow_up")).content.decode()
    assert SCRIPT in follow_up
