"""Excavation in Chromium: the technical manager registers a case with the route drawn on
the map (two clicks, a drag and an undo), and the pages it leads to — the registration
with the map open, the case page, the permit and the overdue list — have no serious axe
violation and no sideways scroll on a 390-pixel phone."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from pishkhan.cases.models import Case
from pishkhan.core import clock
from pishkhan.core.digits import to_persian_digits
from pishkhan.excavation.actions import do_flag_overdue_restorations
from pishkhan.excavation.models import ExcavationPermit
from pishkhan.excavation.route import parse_route, route_length
from pishkhan.offices.roles import Role
from pishkhan.testing.browser import DESKTOP, PHONE, check_page, sign_in_as
from pishkhan.testing.personas import EXCAVATION_DOCUMENTS, build_city, walk_to

SERVICE = "inquiry_excavation"


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_case_is_registered_with_its_route_drawn_on_the_map(
    live_server: object, transactional_db: None, page: Page, viewport: dict[str, int]
) -> None:
    world = build_city()
    citizen, parcel = world.citizen, world.a.parcel
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in_as(page, live_server, world.a[Role.TECHNICAL_MANAGER])
    page.goto(f"{live_server}{reverse('cases:new')}?service={SERVICE}")
    form = page.locator("form.case-new")
    form.get_by_label("کد ملی متقاضی").fill(to_persian_digits(citizen.national_id))
    form.get_by_label("کد نوسازی").fill(parcel.renewal_code)
    form.get_by_role("combobox", name="درخواست‌کننده", exact=True).select_option("utility")
    form.get_by_role("combobox", name="شرکت خدمات‌رسان", exact=True).select_option("water")
    form.get_by_role("textbox", name="معبر و نشانی محل حفاری", exact=True).fill(
        "خیابان چهارباغ عباسی"
    )
    form.get_by_role("combobox", name="نوع معبر", exact=True).select_option("alley")
    form.get_by_role("textbox", name="عرض نوار حفاری", exact=True).fill("۰٫۵")
    form.get_by_role("textbox", name="تاریخ شروع کار", exact=True).fill("۱۴۰۵/۱۰/۰۱")
    form.get_by_role("textbox", name="تاریخ پایان کار و ترمیم", exact=True).fill("۱۴۰۵/۱۰/۲۰")

    # the route: the map opens on demand; two clicks, a third point undone, a drag
    form.get_by_role("button", name="کشیدن مسیر روی نقشه").click()
    area = form.locator(".route-map.leaflet-container")
    expect(area).to_be_visible()
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x - 60, y)
    page.mouse.click(x + 60, y)
    page.mouse.click(x + 60, y + 60)
    expect(form.locator(".route-point")).to_have_count(3)
    form.get_by_role("button", name="برداشتن آخرین نقطه").click()
    expect(form.locator(".route-point")).to_have_count(2)
    page.mouse.move(x + 60, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 20, steps=5)
    page.mouse.up()
    route = form.locator("input[name=field_route]").input_value()
    drawn = json.loads(route)
    assert drawn["type"] == "LineString"
    assert len(drawn["coordinates"]) == 2
    metres = round(route_length(parse_route(route)))
    # the editor tells the length as it goes (Leaflet's sphere: within a metre or two)
    expect(form.locator(".route-editor p")).to_contain_text("۲ نقطه، حدود")
    form.get_by_role("textbox", name="طول نوار حفاری", exact=True).fill(to_persian_digits(metres))
    check_page(page, "excavation registration with the map open")
    form.get_by_label("همه مدارک بالا دیده و بررسی شد").check()
    form.get_by_role("button", name="ثبت و چاپ رسید").click()

    expect(page.get_by_role("heading", name="رسید پذیرش درخواست")).to_be_visible()
    case = Case.objects.get(service_type__code=SERVICE)
    assert json.loads(case.data["route"])["coordinates"] == [
        [round(lng, 6), round(lat, 6)] for lng, lat in parse_route(route)
    ]
    assert sorted(case.documents_checked) == sorted(EXCAVATION_DOCUMENTS)
    assert errors == []

    # the case page, once the permit is issued and its restoration overdue, and the permit
    case = walk_to(world, case, "works")
    permit = ExcavationPermit.objects.get(case=case)
    ExcavationPermit.objects.filter(pk=permit.pk).update(
        valid_from="2023-04-01", valid_until="2023-05-01"
    )
    do_flag_overdue_restorations(clock.now())
    page.goto(f"{live_server}{reverse('cases:detail', args=[case.pk])}")
    expect(page.get_by_text("ترمیم نوار حفاری هنوز بازدید و تأیید نشده است")).to_be_visible()
    page.get_by_role("button", name="نمایش مسیر روی نقشه").click()
    expect(page.locator(".route-map .leaflet-overlay-pane path")).to_have_count(1)
    check_page(page, "excavation case page")
    page.get_by_role("link", name=f"مجوز حفاری شماره {to_persian_digits(permit.number)}").click()
    expect(
        page.get_by_role("heading", name=f"مجوز حفاری {to_persian_digits(permit.number)}")
    ).to_be_visible()
    check_page(page, "excavation permit")
    sign_in_as(page, live_server, world.a.district_staff[0])
    page.goto(f"{live_server}{reverse('excavation:overdue')}")
    expect(page.get_by_role("link", name=to_persian_digits(permit.number))).to_be_visible()
    check_page(page, "overdue restorations")
    assert errors == []
