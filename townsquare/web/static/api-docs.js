// Starts the vendored Swagger UI on /api/docs (kept out of the page so the CSP needs no inline script).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
