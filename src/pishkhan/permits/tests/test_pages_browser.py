"""In Chromium, on a 390-pixel phone and a desktop: the permit page, the case's permits,
the about-to-expire list and the parcel file with its permits have no serious or
critical axe-core violation and nothing scrolls sideways (their weight: test_pages.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from pishkhan.permits.models import BuildingPermit
from pishkhan.testing.browser import DESKTOP, PHONE, check_page, sign_in_as
from pishkhan.testing.personas import act, build_city


@pytest.mark.e2e
def test_the_permit_pages_fit_a_phone_and_pass_axe(
    live_server: object, transactional_db: None, page: Page
) -> None:
    city = build_city()
    case = city.walk_to(city.open_case("permit_new"), "permit_prepared")
    checker = next(u for u in city.a.district_staff if u.pk != case.prepared_by_id)
    case = act(checker, case, "approve_permit")
    permit = BuildingPermit.objects.get(case=case)
    today = timezone.localdate()
    for days in (3, 20, 45):
        city.builder.paper_permit(
            city.a.parcel,
            issued_on=today - dt.timedelta(days=700),
            valid_until=today + dt.timedelta(days=days),
        )
    pages = {
        "permit page": f"/permits/{permit.pk}/",
        "case permits": f"/permits/case/{case.pk}/",
        "expiring permits": "/permits/expiring/?q=&days=90&sort=-valid_until",
        "parcel file with permits": f"/cases/parcels/{city.a.parcel.pk}/",
    }
    sign_in_as(page, live_server, checker)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for what, url in pages.items():
            response = page.goto(f"{live_server}{url}")
            assert response is not None
            assert response.status == 200, what
            check_page(page, f"{what} ({size['width']}px)")
