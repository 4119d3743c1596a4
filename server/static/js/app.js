/* F_BRAIN site script: CSRF for htmx, confirmations, copy buttons. Loaded on every page; no inline JS. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request carries the CSRF token (Django reads X-CSRFToken).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A failed htmx request says so instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(status >= 500 ? "Something went wrong on the server. Please try again." :
      "That did not work (HTTP " + status + ").");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });

  function announce(text) {
    var region = document.getElementById("live-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "live-status";
      region.className = "toast";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = text;
  }
  window.fbrainAnnounce = announce;

  // <form data-confirm="..."> asks before submitting (plain forms; htmx uses hx-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // <button data-copy="#id"> copies the text of #id.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value || source.textContent.trim()).then(function () {
      announce("Copied to the clipboard.");
    });
  });

  // A note page after a save: the editor's draft of it is no longer needed.
  var saved = document.querySelector("[data-saved-draft]");
  if (saved && window.localStorage) {
    saved.getAttribute("data-saved-draft").split(" ").forEach(function (key) {
      if (key) localStorage.removeItem("fbrain-draft:" + key);
    });
  }

  // <select data-autosubmit> submits its form on change (filters without a button press).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
})();
