// GET /docs: Swagger UI (vendored in static/vendor/swagger-ui) showing this server's /openapi.json.
// Nothing leaves this origin: no validator badge (it would call validator.swagger.io), no remote config.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("api");
  window.SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    validatorUrl: null,
    configUrl: null,
    queryConfigEnabled: false,
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
