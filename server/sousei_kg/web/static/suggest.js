/* Suggestions as you type in the landing page's search box (the ARIA combobox pattern):
 * asks this server's /search?format=json and lists up to 8 hits as links; arrow keys move through
 * them, Enter opens one, Escape closes the list. Without JavaScript the form still searches. */
(function () {
  "use strict";
  var form = document.querySelector("form.suggest");
  if (!form) return;
  var input = form.querySelector("input[role=combobox]");
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var status = document.getElementById("q-status");
  var lang = document.documentElement.lang;
  var timer = null;
  var active = -1;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", String(i === active)); });
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  function show(results) {
    list.textContent = "";
    results.slice(0, 8).forEach(function (hit, i) {
      var item = document.createElement("li");
      item.id = "q-option-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = hit.url + (hit.url.indexOf("?") < 0 ? "?lang=" + lang : "");
      link.tabIndex = -1;
      // textContent, never innerHTML: labels come from the data.
      link.textContent = hit.labels[lang] || hit.labels.ja || hit.labels.en || hit.iri;
      item.appendChild(link);
      item.addEventListener("mousedown", function (e) { e.preventDefault(); window.location = link.href; });
      list.appendChild(item);
    });
    var open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    active = -1;
    status.textContent = lang === "ja" ? results.length + " 件の候補" : results.length + " suggestions";
  }

  function fetchSuggestions() {
    var text = input.value.trim();
    if (!text) { close(); status.textContent = ""; return; }
    var ticket = ++latest;
    var url = form.getAttribute("data-suggest-url") + "?format=json&q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (body) { if (ticket === latest) show(body.results || []); })
      .catch(function () { if (ticket === latest) close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      window.location = list.querySelectorAll("[role=option] a")[active].href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
