// fivestar portal — small behaviours for the customer pages. No inline scripts (CSP).
(function () {
  "use strict";

  // <form data-once>: one submission per tap. The button shows a spinner and is disabled until
  // the next page arrives, so an impatient second tap does not send the form twice (the server
  // also refuses a repeat by the form's one-time token).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-once]") || event.defaultPrevented) return;
    if (form.classList.contains("is-submitting")) { event.preventDefault(); return; }
    form.classList.add("is-submitting");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Back/forward cache: a page restored from history gets its buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.is-submitting").forEach(function (form) {
      form.classList.remove("is-submitting");
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  });

  // A file picker shows what was chosen: "已选择 3 个文件：a.jpg、b.jpg、c.jpg" (wording and
  // separator come translated from the page).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".file-drop input[type=file]")) return;
    var summary = input.parentNode.querySelector("[data-file-summary]");
    if (!summary) return;
    if (!summary.hasAttribute("data-empty")) summary.setAttribute("data-empty", summary.textContent);
    var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    summary.textContent = files.length
      ? summary.getAttribute("data-selected").replace("%(count)s", files.length)
          .replace("%(names)s", files.join(summary.getAttribute("data-separator") || ", "))
      : summary.getAttribute("data-empty");
  });

  // A page that comes back with errors puts the cursor in the first field to fix.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("main [aria-invalid=true]");
    if (invalid && invalid.type !== "file") invalid.focus({ preventScroll: false });
  });

  // After the conversation is swapped in by htmx, move focus to its status line (sent, or the
  // error) so that keyboard and screen-reader users learn the result.
  document.addEventListener("htmx:afterSettle", function () {
    var section = document.getElementById("conversation");
    var note = section && section.querySelector(".sent-note, .alert-error");
    if (note) { note.setAttribute("tabindex", "-1"); note.focus(); }
  });
})();
