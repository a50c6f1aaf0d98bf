/* The parcel lookup's map, progressive: without this file (or JavaScript) the lookup
   takes a point as two typed coordinates. «نمایش نقشه» loads Leaflet (vendored, never
   from a CDN) only when asked, so the page stays light. A click on the map, or on one of
   the parcels drawn in a close view, fills the coordinates and runs the lookup, which
   lists the parcels nearest that point. Tiles come from the city's own tile server when
   PISHKHAN_MAP_TILE_URL is set; without one the parcels are drawn on a plain ground. */
(function () {
  "use strict";
  var MIN_POINTS_ZOOM = 16;

  function load(el, done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = el.dataset.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = el.dataset.leafletJs;
    js.onload = done;
    document.head.appendChild(js);
  }

  function persian(value) {
    return String(value).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; });
  }

  function start(el, form) {
    var center = (el.dataset.center || "32.6546,51.6680").split(",").map(Number);
    var map = window.L.map(el, { center: center, zoom: 15, attributionControl: true });
    if (el.dataset.tiles) {
      window.L.tileLayer(el.dataset.tiles, {
        maxZoom: 19, attribution: el.dataset.attribution || ""
      }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    var points = window.L.layerGroup().addTo(map);
    var chosen = null;
    var lat = form.querySelector("[name=lat]");
    var lng = form.querySelector("[name=lng]");

    function choose(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (chosen) { chosen.setLatLng(latlng); } else {
        chosen = window.L.circleMarker(latlng, { radius: 8, color: "#b42318" }).addTo(map);
      }
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }

    function refresh() {
      points.clearLayers();
      if (map.getZoom() < MIN_POINTS_ZOOM) { return; }
      var b = map.getBounds();
      var url = el.dataset.pointsUrl + "?bbox=" + [
        b.getSouth(), b.getWest(), b.getNorth(), b.getEast()
      ].map(function (v) { return v.toFixed(6); }).join(",");
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : { points: [] };
      }).then(function (data) {
        data.points.forEach(function (p) {
          var marker = window.L.circleMarker([p.lat, p.lng], { radius: 5, color: "#0b6b4f" });
          marker.bindTooltip("پلاک " + persian(p.label));
          marker.on("click", function () { choose(marker.getLatLng()); });
          points.addLayer(marker);
        });
      });
    }

    map.on("click", function (event) { choose(event.latlng); });
    map.on("moveend", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map-open]").forEach(function (button) {
      var el = document.getElementById(button.getAttribute("aria-controls"));
      var form = button.closest("form");
      if (!el || !form) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        if (!el.hidden) { return; }
        el.hidden = false;
        button.setAttribute("aria-expanded", "true");
        load(el, function () { start(el, form); });
      });
    });
  });
}());
