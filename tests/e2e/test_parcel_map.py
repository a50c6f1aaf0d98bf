"""The parcel lookup by the map, in Chromium at both sizes: «نمایش نقشه» loads Leaflet
on demand, a click on the map fills the point and lists the parcel there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from pishkhan.geo.models import Parcel
from pishkhan.offices.roles import Role
from pishkhan.testing.browser import DESKTOP, PHONE, check_page, sign_in_as
from pishkhan.testing.personas import build_city


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_click_on_the_map_finds_the_parcel_there(
    live_server: object, transactional_db: None, page: Page, viewport: dict[str, int]
) -> None:
    world = build_city()
    Parcel.objects.update(lat=Decimal("32.600000"), lng=Decimal("51.600000"))
    here = world.builder.parcel(
        world.a.district, lat=Decimal("32.654600"), lng=Decimal("51.668000")
    )
    page.set_viewport_size(viewport)
    sign_in_as(page, live_server, world.a[Role.TECHNICAL_MANAGER])
    page.goto(f"{live_server}/cases/parcels/")
    page.get_by_role("button", name="نمایش نقشه").click()
    region = page.get_by_role("region", name="نقشهٔ املاک", exact=False)
    expect(page.locator("#parcel-map.leaflet-container")).to_be_visible()
    box = region.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # its centre
    results = page.locator("#parcel-results")
    expect(results).to_contain_text(f"پلاک {here.plate_label}")
    check_page(page, "the parcel lookup with its map open")
