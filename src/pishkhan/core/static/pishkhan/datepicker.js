/* Pishkhan's Jalali date picker: progressive enhancement over a text input marked
   data-datepicker. The input stays a text box people type ۱۴۰۵/۰۹/۱۱ into (the server
   parses it as before, with or without this script); a button beside it opens a month
   grid (Persian months and digits, Saturday first, today marked) that writes the chosen
   day back as YYYY/MM/DD in Persian digits.

   Keyboard, in the grid: arrows move a day (left is the next day: the week runs right
   to left) or a week, Page Up/Down a month (with Shift a year), Home/End the start/end
   of the week, Enter or Space chooses, Escape closes and returns to the button.

   The Jalali <-> Gregorian conversion is jalaali-js's algorithm (Borkowski's), enough
   for "today" and the weekday of the first of a month; window.PishkhanJalali exposes it
   so a browser test checks it against the server's (pishkhan.core.jalali). */
(function () {
  "use strict";

  // --- conversion (jalaali-js) --------------------------------------------------------
  var BREAKS = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097,
    2192, 2262, 2324, 2394, 2456, 3178];

  function div(a, b) { return ~~(a / b); }
  function mod(a, b) { return a - ~~(a / b) * b; }

  function jalCal(jy) {
    var bl = BREAKS.length, gy = jy + 621, leapJ = -14, jp = BREAKS[0], jm, jump = 0, n, i;
    if (jy < jp || jy >= BREAKS[bl - 1]) { throw new RangeError("Invalid Jalali year " + jy); }
    for (i = 1; i < bl; i += 1) {
      jm = BREAKS[i];
      jump = jm - jp;
      if (jy < jm) { break; }
      leapJ = leapJ + div(jump, 33) * 8 + div(mod(jump, 33), 4);
      jp = jm;
    }
    n = jy - jp;
    leapJ = leapJ + div(n, 33) * 8 + div(mod(n, 33) + 3, 4);
    if (mod(jump, 33) === 4 && jump - n === 4) { leapJ += 1; }
    var leapG = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150;
    var march = 20 + leapJ - leapG;
    if (jump - n < 6) { n = n - jump + div(jump + 4, 33) * 33; }
    var leap = mod(mod(n + 1, 33) - 1, 4);
    if (leap === -1) { leap = 4; }
    return { leap: leap, gy: gy, march: march };
  }

  function g2d(gy, gm, gd) {
    var d = div((gy + div(gm - 8, 6) + 100100) * 1461, 4) + div(153 * mod(gm + 9, 12) + 2, 5) +
      gd - 34840408;
    return d - div(div(gy + 100100 + div(gm - 8, 6), 100) * 3, 4) + 752;
  }

  function d2g(jdn) {
    var j = 4 * jdn + 139361631;
    j = j + div(div(4 * jdn + 183187720, 146097) * 3, 4) * 4 - 3908;
    var i = div(mod(j, 1461), 4) * 5 + 308;
    var gd = div(mod(i, 153), 5) + 1, gm = mod(div(i, 153), 12) + 1;
    var gy = div(j, 1461) - 100100 + div(8 - gm, 6);
    return { gy: gy, gm: gm, gd: gd };
  }

  function j2d(jy, jm, jd) {
    var r = jalCal(jy);
    return g2d(r.gy, 3, r.march) + (jm - 1) * 31 - div(jm, 7) * (jm - 7) + jd - 1;
  }

  function d2j(jdn) {
    var gy = d2g(jdn).gy, jy = gy - 621, r = jalCal(jy), k = jdn - g2d(gy, 3, r.march);
    if (k >= 0) {
      if (k <= 185) { return { jy: jy, jm: 1 + div(k, 31), jd: mod(k, 31) + 1 }; }
      k -= 186;
    } else {
      jy -= 1;
      k += 179;
      if (r.leap === 1) { k += 1; }
    }
    return { jy: jy, jm: 7 + div(k, 30), jd: mod(k, 30) + 1 };
  }

  function isLeap(jy) { return jalCal(jy).leap === 0; }
  function monthLength(jy, jm) {
    if (jm <= 6) { return 31; }
    if (jm <= 11) { return 30; }
    return isLeap(jy) ? 30 : 29;
  }
  function toJalaali(gy, gm, gd) { return d2j(g2d(gy, gm, gd)); }
  function toGregorian(jy, jm, jd) { return d2g(j2d(jy, jm, jd)); }
  // Saturday is 0 … Friday is 6
  function weekday(jy, jm, jd) { return mod(j2d(jy, jm, jd) + 2, 7); }

  window.PishkhanJalali = {
    toJalaali: toJalaali, toGregorian: toGregorian, isLeap: isLeap,
    monthLength: monthLength, weekday: weekday
  };

  // --- text ----------------------------------------------------------------------------
  var MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان",
    "آذر", "دی", "بهمن", "اسفند"];
  var DAYS = ["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه"];
  var DAY_SHORT = ["ش", "ی", "د", "س", "چ", "پ", "ج"];
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";

  function fa(value) {
    return String(value).replace(/[0-9]/g, function (d) { return PERSIAN[+d]; });
  }
  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }
  function ascii(text) {
    return String(text).replace(/[۰-۹]/g, function (d) { return PERSIAN.indexOf(d); })
      .replace(/[٠-٩]/g, function (d) { return d.charCodeAt(0) - 0x660; });
  }
  function format(day) { return fa(pad(day.jy, 4) + "/" + pad(day.jm, 2) + "/" + pad(day.jd, 2)); }
  function longText(day) {
    return DAYS[weekday(day.jy, day.jm, day.jd)] + " " + fa(day.jd) + " " + MONTHS[day.jm - 1] +
      " " + fa(day.jy);
  }

  // What the input holds, when it is a real Jalali day (else null: the server will say why).
  function parse(text) {
    var m = /^\s*(\d{4})\s*[\/\-.]\s*(\d{1,2})\s*[\/\-.]\s*(\d{1,2})\s*$/.exec(ascii(text || ""));
    if (!m) { return null; }
    var day = { jy: +m[1], jm: +m[2], jd: +m[3] };
    if (day.jy < 1300 || day.jy > 1499 || day.jm < 1 || day.jm > 12 || day.jd < 1 ||
        day.jd > monthLength(day.jy, day.jm)) { return null; }
    return day;
  }

  function today() {
    var now = new Date();
    return toJalaali(now.getFullYear(), now.getMonth() + 1, now.getDate());
  }
  function same(a, b) { return !!a && !!b && a.jy === b.jy && a.jm === b.jm && a.jd === b.jd; }
  function addDays(day, n) { return d2j(j2d(day.jy, day.jm, day.jd) + n); }
  function addMonths(day, n) {
    var index = day.jy * 12 + (day.jm - 1) + n, jy = Math.floor(index / 12), jm = index - jy * 12 + 1;
    return { jy: jy, jm: jm, jd: Math.min(day.jd, monthLength(jy, jm)) };
  }
  function inRange(day) { return day.jy >= 1300 && day.jy <= 1499; }

  // --- the picker ----------------------------------------------------------------------
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function enhance(input) {
    if (input.dataset.datepickerReady) { return; }
    input.dataset.datepickerReady = "1";
    counter += 1;
    var id = "datepicker-" + counter;
    var hadFocus = document.activeElement === input; // forms.js may have focused an error
    var wrap = el("span", { "class": "datepicker" });
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    if (hadFocus) { input.focus(); }
    // the button and the grid are described by the input's label (not named after it: the
    // label names the input alone)
    var label = input.labels && input.labels[0];
    if (label && !label.id) { label.id = id + "-for"; }
    var opener = el("button", {
      type: "button", "class": "datepicker-open", "aria-haspopup": "dialog",
      "aria-expanded": "false", "aria-controls": id, "aria-label": "انتخاب از تقویم"
    });
    if (label) { opener.setAttribute("aria-describedby", label.id); }
    opener.innerHTML = '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20"' +
      ' height="20"><path fill="currentColor" d="M7 2h2v2h6V2h2v2h3a1 1 0 0 1 1 1v15a1 1 0 0 1-1' +
      ' 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h3V2zm12 8H5v9h14v-9zM5 8h14V6H5v2zm2 4h3v3H7v-3z"/></svg>';
    wrap.appendChild(opener);

    var dialog = el("div", {
      id: id, role: "dialog", "class": "datepicker-dialog", "aria-modal": "false",
      "aria-labelledby": id + "-title", hidden: ""
    });
    if (label) { dialog.setAttribute("aria-describedby", label.id); }
    var head = el("div", { "class": "datepicker-head" });
    var prev = el("button", { type: "button", "class": "datepicker-nav", "aria-label": "ماه قبل" }, "›");
    var title = el("h2", { "class": "datepicker-title", id: id + "-title", "aria-live": "polite" });
    var next = el("button", { type: "button", "class": "datepicker-nav", "aria-label": "ماه بعد" }, "‹");
    head.appendChild(prev);
    head.appendChild(title);
    head.appendChild(next);
    var grid = el("table", { role: "grid", "class": "datepicker-grid", "aria-labelledby": id + "-title" });
    var thead = el("thead");
    var headRow = el("tr");
    DAY_SHORT.forEach(function (short, i) {
      var th = el("th", { scope: "col", abbr: DAYS[i] });
      th.appendChild(el("span", { "aria-hidden": "true" }, short));
      th.appendChild(el("span", { "class": "visually-hidden" }, DAYS[i]));
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    var tbody = el("tbody");
    grid.appendChild(thead);
    grid.appendChild(tbody);
    var foot = el("div", { "class": "datepicker-foot" });
    var todayButton = el("button", { type: "button", "class": "datepicker-today" }, "امروز");
    var close = el("button", { type: "button", "class": "datepicker-close" }, "بستن");
    foot.appendChild(todayButton);
    foot.appendChild(close);
    dialog.appendChild(head);
    dialog.appendChild(grid);
    dialog.appendChild(foot);
    wrap.appendChild(dialog);

    var shown = today();

    function render(moveFocus) {
      var now = today(), chosen = parse(input.value);
      title.textContent = MONTHS[shown.jm - 1] + " " + fa(shown.jy);
      while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
      var lead = weekday(shown.jy, shown.jm, 1), days = monthLength(shown.jy, shown.jm);
      var row = el("tr"), cell, day, button;
      for (var i = 0; i < lead; i += 1) { row.appendChild(el("td", { role: "gridcell" })); }
      for (var d = 1; d <= days; d += 1) {
        day = { jy: shown.jy, jm: shown.jm, jd: d };
        cell = el("td", { role: "gridcell", "aria-selected": same(day, chosen) ? "true" : "false" });
        button = el("button", {
          type: "button", "class": "datepicker-day", tabindex: d === shown.jd ? "0" : "-1",
          "data-day": String(d), "aria-label": longText(day) + (same(day, now) ? "، امروز" : "")
        }, fa(d));
        if (same(day, now)) { button.setAttribute("aria-current", "date"); }
        if (same(day, chosen)) { button.setAttribute("aria-pressed", "true"); }
        cell.appendChild(button);
        row.appendChild(cell);
        if ((lead + d) % 7 === 0) { tbody.appendChild(row); row = el("tr"); }
      }
      if (row.childNodes.length) {
        while (row.childNodes.length < 7) { row.appendChild(el("td", { role: "gridcell" })); }
        tbody.appendChild(row);
      }
      if (moveFocus) { tbody.querySelector("[tabindex='0']").focus(); }
    }

    function move(day) {
      if (!inRange(day)) { return; }
      shown = day;
      render(true);
    }

    function open() {
      shown = parse(input.value) || today();
      dialog.hidden = false;
      opener.setAttribute("aria-expanded", "true");
      render(true);
      place();
      document.addEventListener("mousedown", outside, true);
    }

    // keep the whole grid on the screen (a phone, an input near the page's edge)
    function place() {
      dialog.style.transform = "";
      var rect = dialog.getBoundingClientRect(), room = document.documentElement.clientWidth;
      var shift = rect.left < 8 ? 8 - rect.left : rect.right > room - 8 ? room - 8 - rect.right : 0;
      if (shift) { dialog.style.transform = "translateX(" + Math.round(shift) + "px)"; }
    }

    function shut(refocus) {
      if (dialog.hidden) { return; }
      dialog.hidden = true;
      opener.setAttribute("aria-expanded", "false");
      document.removeEventListener("mousedown", outside, true);
      if (refocus) { opener.focus(); }
    }

    function choose(day) {
      input.value = format(day);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      shut(false);
      input.focus();
    }

    function outside(event) {
      if (!wrap.contains(event.target)) { shut(false); }
    }

    opener.addEventListener("click", function () {
      if (dialog.hidden) { open(); } else { shut(true); }
    });
    prev.addEventListener("click", function () { shown = addMonths(shown, -1); render(false); });
    next.addEventListener("click", function () { shown = addMonths(shown, 1); render(false); });
    todayButton.addEventListener("click", function () { choose(today()); });
    close.addEventListener("click", function () { shut(true); });
    tbody.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest(".datepicker-day") : null;
      if (target) { choose({ jy: shown.jy, jm: shown.jm, jd: +target.dataset.day }); }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        shut(true);
      }
    });
    tbody.addEventListener("keydown", function (event) {
      var steps = { ArrowLeft: 1, ArrowRight: -1, ArrowDown: 7, ArrowUp: -7 };
      var key = event.key, wd = weekday(shown.jy, shown.jm, shown.jd);
      if (steps[key] !== undefined) {
        move(addDays(shown, steps[key]));
      } else if (key === "PageDown" || key === "PageUp") {
        move(addMonths(shown, (key === "PageDown" ? 1 : -1) * (event.shiftKey ? 12 : 1)));
      } else if (key === "Home") {
        move(addDays(shown, -wd));
      } else if (key === "End") {
        move(addDays(shown, 6 - wd));
      } else if (key === "Enter" || key === " ") {
        choose(shown);
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-datepicker]"), enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // a fragment htmx swaps in may carry date inputs of its own
  document.addEventListener("htmx:afterSettle", start);
})();
