// SME pages: perimeter rows and totals, mission form hints. Every page works without it.
(function () {
  "use strict";

  function parseHours(text) {
    var cleaned = (text || "").replace(/[\s\u00a0\u202f]/g, "");
    if (cleaned.indexOf(",") !== -1) { cleaned = cleaned.replace(/\./g, "").replace(",", "."); }
    var value = parseFloat(cleaned);
    return isFinite(value) && value > 0 ? value : 0;
  }

  function formatFr(value) {
    return (Math.round(value * 10) / 10).toString().replace(".", ",");
  }

  // Perimeter: live total of hours, and new rows without a round trip.
  var table = document.querySelector("[data-perimeter-table]");
  if (table) {
    var body = table.querySelector("tbody");
    var total = document.querySelector("[data-perimeter-total]");
    var refresh = function () {
      var sum = 0;
      body.querySelectorAll("input[name$='-hours']").forEach(function (input) { sum += parseHours(input.value); });
      if (total) { total.textContent = formatFr(sum); }
    };
    body.addEventListener("input", refresh);
    refresh();

    var addButton = document.querySelector("[data-add-row]");
    if (addButton) {
      addButton.addEventListener("click", function (event) {
        event.preventDefault();
        var rows = body.querySelectorAll("[data-perimeter-row]");
        var last = rows[rows.length - 1];
        var index = rows.length;
        var clone = last.cloneNode(true);
        clone.classList.remove("has-error");
        clone.querySelectorAll(".field-error").forEach(function (p) { p.parentNode.removeChild(p); });
        clone.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
          ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) { el.setAttribute(attr, value.replace(/lines-\d+-/g, "lines-" + index + "-")); }
          });
          el.removeAttribute("aria-invalid");
        });
        clone.querySelectorAll("label.cell-label .visually-hidden").forEach(function (line) {
          line.textContent = line.textContent.replace(/\d+\)$/, (index + 1) + ")");
        });
        clone.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        clone.querySelectorAll("select").forEach(function (select) {
          select.value = select.name.slice(-11) === "criticality" ? "3" : "";
        });
        body.appendChild(clone);
        clone.querySelector("select").focus();
      });
    }
  }

  // Mission form: show only the fields that apply.
  var form = document.querySelector("[data-mission-form]");
  if (form) {
    var flexible = form.querySelector("input[name='flexible_weekdays']");
    var weekdays = form.querySelector("[data-weekdays]");
    var onsite = form.querySelector("[data-onsite-days]");
    var modes = form.querySelectorAll("input[name='work_mode']");
    var sync = function () {
      if (flexible && weekdays) { weekdays.hidden = flexible.checked; }
      var mode = "";
      modes.forEach(function (radio) { if (radio.checked) { mode = radio.value; } });
      if (onsite) { onsite.hidden = mode !== "hybrid"; }
    };
    form.addEventListener("change", sync);
    sync();
  }
})();
