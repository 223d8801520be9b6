// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Mobile navigation toggle.
  var toggle = document.querySelector("[data-nav-toggle]");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Menu groups: one open at a time; a click elsewhere or Escape closes it.
  var groups = document.querySelectorAll("details[data-nav-group]");
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) { return; }
      groups.forEach(function (other) { if (other !== group) { other.open = false; } });
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) { if (group.open && !group.contains(event.target)) { group.open = false; } });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    groups.forEach(function (group) {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });

  // Commune suggestions from the bundled table (no third-party service).
  document.querySelectorAll("input[data-commune-search]").forEach(function (input) {
    var listId = input.getAttribute("list");
    var list = listId && document.getElementById(listId);
    if (!list) {
      list = document.createElement("datalist");
      list.id = listId || ("communes-" + Math.random().toString(36).slice(2));
      input.setAttribute("list", list.id);
      input.after(list);
    }
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/api/communes?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (c) {
              var opt = document.createElement("option");
              opt.value = c.name;
              opt.label = c.label;
              list.appendChild(opt);
            });
          })
          .catch(function () { /* suggestions are a convenience */ });
      }, 150);
    });
  });

  // Confirmation before destructive actions: <form data-confirm="Message">.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // A table wider than the screen scrolls inside its .table-wrap: while it does, the wrapper is a
  // named region that takes the keyboard focus, so it can be scrolled without a mouse (WCAG 2.1.1).
  var wraps = document.querySelectorAll(".table-wrap");
  var nameOf = function (wrap) {
    // Its caption, else the heading just before it, else the heading of its card or section, else the page's.
    var heading = wrap.querySelector("caption");
    var previous = wrap.previousElementSibling;
    while (!heading && previous) {
      if (/^H[1-4]$/.test(previous.tagName)) { heading = previous; }
      previous = previous.previousElementSibling;
    }
    var holder = wrap.closest("section, .card, fieldset, .field");
    heading = heading || (holder && holder.querySelector("h2, h3, legend, .label")) || document.querySelector("h1");
    if (!heading) { return; }
    if (!heading.id) { heading.id = "table-name-" + Math.random().toString(36).slice(2, 9); }
    wrap.setAttribute("aria-labelledby", heading.id);
  };
  var fitWrap = function (wrap) {
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) { nameOf(wrap); }
      wrap.setAttribute("data-scrolls", "");
    } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("data-scrolls");
    }
  };
  wraps.forEach(fitWrap);
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function (entries) { entries.forEach(function (entry) { fitWrap(entry.target); }); });
    wraps.forEach(function (wrap) { observer.observe(wrap); });
  }

  // Language switcher submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
