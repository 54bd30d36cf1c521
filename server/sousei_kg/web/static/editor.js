/* The query editor at /sparql: YASGUI (vendored, static/vendor/yasgui) configured for this server.
 *
 * Why each setting: nothing may leave the server, so the endpoint is fixed to our /sparql, the
 * endpoint catalogue lists only it, prefix autocompletion reads our own prefixes.json (not
 * prefix.cc), the LOV property/class lookups are off, and no URL shortener is configured.
 * Result IRIs under https://w3id.org/sousei-kg/ open their pages on this server, and query hints
 * (an IRI of ours the dataset lacks) show above the results.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var Yasgui = window.Yasgui;

  // Only local autocompleters: "prefixes" (from our prefixes.json) and "variables".
  // "property" and "class" would query lov.linkeddata.es.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = config.prefixesUrl;
  Yasgui.Yasqe.defaults.createShortLink = undefined;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // A canonical IRI → this server's page for it (same rule as the server's LinkRewriter).
  function localHref(iri) {
    return iri.indexOf(config.canonicalBase) === 0
      ? config.localBase + iri.slice(config.canonicalBase.length)
      : iri;
  }

  // YASR's table draws IRIs as <a href=IRI> without escaping; draw them ourselves: escaped,
  // prefixed where a prefix fits, linking to the local page, in the same tab.
  Yasgui.Yasr.plugins.table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
    var iri = binding.value;
    var shown = "<" + iri + ">";
    for (var prefix in prefixes || {}) {
      if (iri.indexOf(prefixes[prefix]) === 0) {
        shown = prefix + ":" + iri.slice(prefixes[prefix].length);
        break;
      }
    }
    return "<a class='iri' href='" + escapeHtml(localHref(iri)) + "'>" + escapeHtml(shown) + "</a>";
  };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: config.endpoint }]; },
      keys: [],
    },
    copyEndpointOnNewTab: true,
    autoAddOnInit: false,
    autofocus: false,
    // No persistence: every visit starts from the current named queries (a shared link still
    // restores its query from the URL).
    persistenceId: null,
    yasqe: { prefixCcApi: config.prefixesUrl, autocompleters: ["prefixes", "variables"] },
    yasr: { prefixes: config.prefixes },
  });

  // The example tabs: a starter query, then one per named query.
  if (Object.keys(yasgui._tabs).length === 0) {
    config.tabs.forEach(function (tab, index) {
      yasgui.addTab(index === 0, {
        name: tab.name,
        yasqe: { value: tab.query },
        requestConfig: { endpoint: config.endpoint },
      });
    });
  }

  // Query hints: an IRI of ours the dataset does not hold, with the nearest that exists. JSON
  // results carry them in head.hints; every answer in X-Query-Hint. Shown above the tab's results.
  function hintsOf(tab) {
    var results = tab.getYasr().results;
    if (!results) return [];
    var body = results.getOriginalResponse();
    if (body && body.head && Array.isArray(body.head.hints)) {
      return body.head.hints.map(function (hint) { return hint.message; });
    }
    var header = results.res && results.res.header && results.res.header["x-query-hint"];
    return header ? header.split("; ") : [];
  }

  function showHints(tab) {
    var root = tab.getYasr().rootEl;
    var box = root.previousElementSibling;
    if (!box || !box.classList.contains("query-hints")) {
      box = document.createElement("div");
      box.className = "query-hints";
      box.setAttribute("role", "status");
      root.parentNode.insertBefore(box, root);
    }
    var hints = hintsOf(tab);
    box.textContent = "";
    hints.forEach(function (text) {
      var line = document.createElement("p");
      line.textContent = text;
      box.appendChild(line);
    });
    box.hidden = hints.length === 0;
  }

  // A tab announces the answer before its result view reads it: look once that is done.
  yasgui.on("queryResponse", function (instance, tab) {
    window.setTimeout(function () { showHints(tab); }, 0);
  });

  // "Download as CSV": the server runs the current tab's query again with format=csv.
  var csvLink = document.getElementById("editor-csv");
  function updateCsvLink() {
    var tab = yasgui.getTab();
    var query = tab && tab.getYasqe() ? tab.getYasqe().getValue() : "";
    csvLink.href = config.endpoint + "?format=csv&query=" + encodeURIComponent(query);
  }
  csvLink.addEventListener("focus", updateCsvLink);
  csvLink.addEventListener("mouseenter", updateCsvLink);
  csvLink.addEventListener("click", updateCsvLink);
  window.souseiEditor = yasgui; // for tests and the browser console
})();
