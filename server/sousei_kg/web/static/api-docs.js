/* The API explorer at /docs: Swagger UI (vendored, static/vendor/swagger-ui) over this server's
 * OpenAPI document, started here rather than by an inline script (the page's policy allows none).
 *
 * Nothing may leave the server: the validator badge (which would send the document to
 * validator.swagger.io) is off, and "Try it out" calls this server only.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("api-docs-config").textContent);
  window.souseiApiDocs = window.SwaggerUIBundle({
    url: config.url,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Tags start folded: with every one open (75 operations) Swagger UI rendered only the first
    // few and stopped, silently; folded, a tag opens with its operations on a click.
    docExpansion: "none",
  });
})();
