// The document's page while the text of a version is being extracted (archive, issue 9):
// ask the server every few seconds and reload the page once the text is extracted.
// A static file (the Content-Security-Policy allows scripts from 'self' only, never inline).
(function () {
  "use strict";
  var status = document.getElementById("extraction-status");
  if (!status || !window.fetch) {
    return;
  }
  var url = status.getAttribute("data-poll-url");
  var delay = 3000;
  var attempts = 0;
  var maxAttempts = 200; // about half an hour with the growing delay; then the notice stays

  function poll() {
    attempts += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        if (data.pending) {
          schedule();
        } else {
          status.textContent = status.getAttribute("data-done-text");
          window.location.reload();
        }
      })
      .catch(schedule);
  }

  function schedule() {
    if (attempts < maxAttempts) {
      delay = Math.min(delay * 1.2, 15000);
      window.setTimeout(poll, delay);
    }
  }

  window.setTimeout(poll, delay);
})();
