// Starts Swagger UI for /api/v1/docs. An external file because the CSP forbids inline
// scripts; the settings come from data- attributes on #swagger-ui.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.dataset.csrfToken;
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    // No calls to the public validator: the schema stays on the intranet.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    // "Try it out" uses the page's session; unsafe methods need the CSRF token.
    requestInterceptor: function (req) {
      if (csrfToken) {
        req.headers["X-CSRFToken"] = csrfToken;
      }
      return req;
    },
  });
})();
