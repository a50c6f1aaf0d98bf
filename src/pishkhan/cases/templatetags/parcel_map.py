"""The parcel map's settings as data attributes of its element (parcel-map.js reads
them): where Leaflet is, where the parcels of a view come from, the tiles and centre."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def parcel_map_attrs() -> SafeString:
    return format_html(
        'data-leaflet-js="{}" data-leaflet-css="{}" data-points-url="{}" data-tiles="{}" '
        'data-attribution="{}" data-center="{}"',
        static("vendor/leaflet/leaflet.js"),
        static("vendor/leaflet/leaflet.css"),
        reverse("cases:parcel_points"),
        settings.PISHKHAN_MAP_TILE_URL,
        settings.PISHKHAN_MAP_TILE_ATTRIBUTION,
        settings.PISHKHAN_MAP_CENTER,
    )
