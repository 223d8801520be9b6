// The freelancer area's small enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Show the VAT number fields only when the freelancer is liable to VAT.
  var regime = document.querySelectorAll("input[name='vat_regime']");
  var liableOnly = document.querySelectorAll("[data-vat-liable]");
  var franchiseOnly = document.querySelectorAll("[data-vat-franchise]");
  function syncVat() {
    var checked = document.querySelector("input[name='vat_regime']:checked");
    var liable = checked && checked.value === "liable";
    liableOnly.forEach(function (el) { el.hidden = !liable; });
    franchiseOnly.forEach(function (el) { el.hidden = !!checked && liable; });
  }
  if (regime.length && liableOnly.length) {
    regime.forEach(function (input) { input.addEventListener("change", syncVat); });
    syncVat();
  }

  // Week grid: a weekday's heading button toggles the whole day.
  document.querySelectorAll("[data-toggle-day]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var day = button.getAttribute("data-toggle-day");
      var boxes = document.querySelectorAll("input[data-day='" + day + "']:not([disabled])");
      var allOn = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !allOn; });
    });
  });

  // Live character count under the bio.
  document.querySelectorAll("textarea[data-count]").forEach(function (area) {
    var min = parseInt(area.getAttribute("data-count"), 10);
    var out = document.createElement("p");
    out.className = "field-help";
    out.setAttribute("aria-live", "polite");
    area.after(out);
    function update() {
      var n = area.value.trim().length;
      out.textContent = n + " caractère" + (n > 1 ? "s" : "") + (n < min ? " (encore " + (min - n) + " pour atteindre " + min + ")" : " ✓");
    }
    area.addEventListener("input", update);
    update();
  });
})();
