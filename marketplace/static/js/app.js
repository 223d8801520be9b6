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

  // Language switcher submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
