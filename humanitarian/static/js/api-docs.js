// Swagger UI for /api/v1/docs, started from a file rather than an inline script, so the
// page keeps the site's content security policy (nothing inline). Its settings come from
// the container's data attributes.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  window.ui = window.SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui-container",
    validatorUrl: null, // no online validator: the docs work offline
  });
})();
