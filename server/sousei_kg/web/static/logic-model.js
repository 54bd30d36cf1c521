/* Instant KPI highlighting on /logic-model. The server already decided which elements reach each
 * KPI (data-kpis on every node and link) and renders the highlighted picture for ?kpi= without
 * JavaScript; this script only applies a choice without a reload and keeps the URL in step. */
(function () {
  "use strict";
  var form = document.querySelector("form.kpi-chooser");
  var svg = document.getElementById("logic-model");
  var status = document.getElementById("lm-status");
  var svgLink = document.getElementById("svg-link");
  if (!form || !svg) return;

  function apply(key) {
    var count = 0;
    svg.querySelectorAll("[data-kpis]").forEach(function (el) {
      var reaches = key && el.getAttribute("data-kpis").split(" ").indexOf(key) >= 0;
      el.classList.toggle("hl", !!reaches);
      el.classList.toggle("dim", !!key && !reaches);
      if (reaches && el.classList.contains("measure")) count += 1;
    });
    svg.classList.toggle("has-selection", !!key);
    var lang = document.documentElement.lang;
    if (status) {
      var label = key ? form.querySelector("input[value='" + key + "'] + span strong") : null;
      var goal = label ? label.textContent : "";
      status.textContent = !key ? "" : lang === "ja"
        ? count + " 件の施策が「" + goal + "」の KPI に至ります。"
        : count + " measures reach the KPI of “" + goal + "”.";
    }
    var url = new URL(window.location.href);
    if (key) url.searchParams.set("kpi", key); else url.searchParams.delete("kpi");
    window.history.replaceState(null, "", url);
    if (svgLink) {
      var svgUrl = new URL(svgLink.href);
      if (key) svgUrl.searchParams.set("kpi", key); else svgUrl.searchParams.delete("kpi");
      svgLink.href = svgUrl.toString();
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "kpi") apply(event.target.value);
  });
  // The submit button is for browsers without JavaScript; here the change already applied.
  var button = form.querySelector("button[type=submit]");
  if (button) button.hidden = true;
})();
