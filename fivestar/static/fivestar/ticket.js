// fivestar — the staff ticket page: keyboard shortcuts and focus after htmx swaps. No inline
// scripts (CSP); htmx does the requests, this file only moves focus and resets small things.
(function () {
  "use strict";

  function focusFirstField(root) {
    var field = root.querySelector(
      "select, textarea, input:not([type=hidden]):not([disabled]), button[type=submit]"
    );
    if (field) field.focus();
  }

  document.addEventListener("keydown", function (event) {
    // Ctrl+Enter (Cmd+Enter on a Mac) sends the form the caret is in (reply box, action form).
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest && event.target.closest("form[data-ctrl-enter], .action-form");
      if (form) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    }
    // Escape closes an open action form.
    if (event.key === "Escape") {
      var panel = event.target.closest && event.target.closest("#action-panel");
      if (panel) closePanel(panel);
    }
  });

  function closePanel(panel) {
    panel.innerHTML = "";
    document.querySelectorAll("#ticket-header .ticket-actions .is-open").forEach(function (el) {
      el.classList.remove("is-open");
      el.setAttribute("aria-expanded", "false");
    });
    var first = document.querySelector("#ticket-header .ticket-actions button, #ticket-header .ticket-actions a");
    if (first) first.focus();
  }

  // "收起" closes the action form in place when htmx is there (the link reloads the page otherwise).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-close-action]");
    var panel = link && link.closest("#action-panel");
    if (panel && window.htmx) {
      event.preventDefault();
      closePanel(panel);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) return;
    if (target.id === "action-panel") {
      // The button whose form is open looks pressed.
      var opener = event.detail.requestConfig && event.detail.requestConfig.elt;
      document.querySelectorAll("#ticket-header .ticket-actions [aria-expanded]").forEach(function (el) {
        el.setAttribute("aria-expanded", "false");
        el.classList.remove("is-open");
      });
      if (opener && opener.closest(".ticket-actions")) {
        opener.setAttribute("aria-expanded", "true");
        opener.classList.add("is-open");
      }
      focusFirstField(target);
    } else if (target.id === "reply-body-field") {
      // A canned reply was inserted: back to the text, caret at the end, picker reset.
      var picker = document.getElementById("canned-pick");
      if (picker) picker.value = "";
      var text = document.querySelector("#reply-body-field textarea");
      if (text) { text.focus(); text.setSelectionRange(text.value.length, text.value.length); }
    }
  });

  // Success notices step aside after a while; errors stay until the next change.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".notice-success:not([data-timed])").forEach(function (notice) {
      notice.setAttribute("data-timed", "1");
      setTimeout(function () { notice.remove(); }, 8000);
    });
  });

  // After an action the header is new: put the keyboard on its first action (or the notice).
  document.addEventListener("htmx:afterSettle", function (event) {
    var header = document.getElementById("ticket-header");
    if (!header || !header.contains(event.detail.elt) && event.detail.elt !== header) return;
    if (header.contains(document.activeElement)) return;
    var target = header.querySelector(".notice-error") ||
      header.querySelector(".ticket-actions button, .ticket-actions a") || header.querySelector(".notice");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(A|BUTTON)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
