"""The districts' admin (geo) shows how many offices each district has: the offices app
adds that column, since geo, below offices, knows nothing of them."""

from __future__ import annotations

import re

from django.contrib import admin
from django.test import Client
from django.urls import reverse

from pishkhan.geo import admin as geo_admin
from pishkhan.geo.models import District
from pishkhan.offices import admin as offices_admin
from pishkhan.testing.personas import Builder


def test_the_offices_app_registers_the_district_admin() -> None:
    registered = admin.site._registry[District]
    assert type(registered) is offices_admin.DistrictAdmin
    assert isinstance(registered, geo_admin.DistrictAdmin)


def test_the_district_list_counts_offices_and_parcels(
    admin_client: Client, actions_builder: Builder
) -> None:
    district = actions_builder.district()
    for _ in range(2):
        actions_builder.office(district=district)
    for _ in range(3):
        actions_builder.parcel(district)
    page = admin_client.get(reverse("admin:geo_district_changelist")).content.decode()
    assert re.findall(r'<td class="field-office_count">([^<]*)</td>', page) == ["۲"]
    assert re.findall(r'<td class="field-parcel_count">([^<]*)</td>', page) == ["۳"]
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page)
    assert headers.index("office_count") + 1 == headers.index("parcel_count")
