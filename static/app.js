// Every page: send the CSRF token with each htmx request, report server failures.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
  });
  function showStatus(message) {
    const status = document.getElementById("status");
    if (!status) return;
    status.className = "status-line error";
    status.textContent = message;
  }
  document.addEventListener("htmx:responseError", function (event) {
    showStatus("Not saved: the server answered " + event.detail.xhr.status + ". Reload and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showStatus("Not saved: the server cannot be reached. Your last change may be missing; reload when it is back.");
  });
})();
