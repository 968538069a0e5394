// Starts Swagger UI on /docs. A file, not an inline script, so that the page's
// Content-Security-Policy can forbid inline script altogether.
"use strict";
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
