/* The excavation route on a map, progressive: without this file (or JavaScript) the route
   is typed as points («عرض، طول» separated by «؛») in its input, which the server reads
   and checks either way. With it, «کشیدن مسیر روی نقشه» loads Leaflet (vendored, never
   from a CDN) only when asked: a click adds a point at the end of the line, a point can
   be dragged, «برداشتن آخرین نقطه» undoes, «پاک کردن مسیر» starts again, and the input
   holds the line as GeoJSON (what the server stores). A route shown on a case or permit
   page ([data-route-view]) is drawn read-only, also only when asked
   («نمایش مسیر روی نقشه»): the page's first load stays light. */
(function () {
  "use strict";

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

  function persianToAscii(text) {
    return String(text).replace(/[۰-۹]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹".indexOf(d); })
      .replace(/[٠-٩]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩".indexOf(d); })
      .replace(/٫/g, ".").replace(/،/g, ",").replace(/؛/g, ";");
  }

  /* [[lat, lng], ...] from what the input holds: GeoJSON or typed points. */
  function readPoints(text) {
    text = persianToAscii(text || "").trim();
    if (!text) { return []; }
    try {
      if (text.charAt(0) === "{") {
        var data = JSON.parse(text);
        return (data.coordinates || []).map(function (c) { return [c[1], c[0]]; });
      }
      return text.split(";").filter(function (s) { return s.trim(); }).map(function (s) {
        var p = s.split(",").map(Number);
        return [p[0], p[1]];
      }).filter(function (p) { return isFinite(p[0]) && isFinite(p[1]); });
    } catch (e) { return []; }
  }

  function geojson(latlngs) {
    return JSON.stringify({ type: "LineString", coordinates: latlngs.map(function (p) {
      return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))];
    }) });
  }

  function baseMap(el) {
    el.hidden = false;
    el.style.height = "18rem";
    var center = (el.dataset.center || "32.6546,51.6680").split(",").map(Number);
    var map = window.L.map(el, { center: center, zoom: 16, attributionControl: true });
    if (el.dataset.tiles) {
      window.L.tileLayer(el.dataset.tiles, {
        maxZoom: 19, attribution: el.dataset.attribution || ""
      }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  function view(el) {
    var open = button("نمایش مسیر روی نقشه");
    el.parentNode.insertBefore(open, el);
    open.addEventListener("click", function () {
      open.hidden = true;
      load(el, function () { draw(el); });
    });
  }

  function draw(el) {
    var map = baseMap(el);
    var route = JSON.parse(el.dataset.routeView);
    var line = window.L.polyline(route.coordinates.map(function (c) { return [c[1], c[0]]; }),
      { color: "#b42318", weight: 5 }).addTo(map);
    map.fitBounds(line.getBounds(), { padding: [20, 20], maxZoom: 18 });
  }

  function button(text) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button button-secondary";
    b.textContent = text;
    return b;
  }

  function editor(input) {
    var box = document.createElement("div");
    box.className = "route-editor";
    var open = button("کشیدن مسیر روی نقشه");
    var undo = button("برداشتن آخرین نقطه");
    var clear = button("پاک کردن مسیر");
    var status = document.createElement("p");
    status.className = "hint muted";
    status.setAttribute("aria-live", "polite");
    var el = document.createElement("div");
    el.className = "route-map";
    el.hidden = true;
    el.setAttribute("role", "application");
    el.setAttribute("aria-label", "نقشهٔ مسیر حفاری؛ با هر کلیک یک نقطه به انتهای مسیر افزوده می‌شود");
    ["leafletJs", "leafletCss", "tiles", "attribution", "center"].forEach(function (k) {
      el.dataset[k] = input.dataset[k] || "";
    });
    undo.hidden = clear.hidden = true;
    box.appendChild(open); box.appendChild(undo); box.appendChild(clear);
    box.appendChild(el); box.appendChild(status);
    input.parentNode.insertBefore(box, input.nextSibling);

    open.addEventListener("click", function () {
      open.hidden = true;
      load(el, function () { start(input, el, undo, clear, status); });
    });
  }

  function start(input, el, undo, clear, status) {
    var map = baseMap(el);
    undo.hidden = clear.hidden = false;
    var line = window.L.polyline([], { color: "#b42318", weight: 5 }).addTo(map);
    var markers = [];

    function sync() {
      var latlngs = markers.map(function (m) { return m.getLatLng(); });
      line.setLatLngs(latlngs);
      input.value = latlngs.length ? geojson(latlngs) : "";
      var metres = 0;
      for (var i = 1; i < latlngs.length; i++) { metres += map.distance(latlngs[i - 1], latlngs[i]); }
      status.textContent = latlngs.length
        ? String(latlngs.length) + " نقطه، حدود " + String(Math.round(metres)) + " متر"
        : "روی نقشه کلیک کنید تا نقطهٔ آغاز مسیر افزوده شود.";
      status.textContent = status.textContent.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; });
    }

    function add(latlng) {
      var marker = window.L.marker(latlng, {
        draggable: true,
        keyboard: false,
        icon: window.L.divIcon({ className: "route-point", iconSize: [14, 14] })
      }).addTo(map);
      marker.on("drag dragend", sync);
      markers.push(marker);
      sync();
    }

    readPoints(input.value).forEach(function (p) { add(window.L.latLng(p[0], p[1])); });
    if (markers.length) { map.fitBounds(line.getBounds(), { padding: [20, 20], maxZoom: 18 }); }
    sync();
    map.on("click", function (e) { add(e.latlng); });
    undo.addEventListener("click", function () {
      var last = markers.pop();
      if (last) { map.removeLayer(last); }
      sync();
    });
    clear.addEventListener("click", function () {
      markers.forEach(function (m) { map.removeLayer(m); });
      markers = [];
      sync();
    });
  }

  function init() {
    document.querySelectorAll("input[data-route-editor]").forEach(editor);
    document.querySelectorAll("[data-route-view]").forEach(view);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
