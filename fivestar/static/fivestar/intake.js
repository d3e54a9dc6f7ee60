// fivestar — phone intake: keyboard-only entry. Enter moves to the next field (and looks the
// number up at once in the phone field); Enter in the last field or Ctrl+Enter anywhere submits;
// the submit button is disabled once pressed. No inline scripts (CSP).
(function () {
  "use strict";

  var focusCallerAfterLookup = false;

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  // The fields Tab would visit, one stop per radio group (its checked radio, else its first).
  function stops(form) {
    var seen = {};
    var all = form.querySelectorAll(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])"
    );
    return Array.prototype.filter.call(all, function (el) {
      if (!visible(el) || el.tabIndex < 0) return false;
      if (el.type === "radio") {
        if (seen[el.name]) return false;
        var checked = form.querySelector('input[type=radio][name="' + el.name + '"]:checked');
        if (checked && checked !== el) return false;
        seen[el.name] = true;
      }
      return true;
    });
  }

  function focusNext(form, current) {
    var list = stops(form);
    var index = list.indexOf(current);
    if (current.type === "radio" && index < 0) {
      index = list.findIndex(function (el) { return el.type === "radio" && el.name === current.name; });
    }
    var next = list[index + 1];
    if (next) next.focus();
  }

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("form[data-intake]");
    if (!form || event.key !== "Enter" || event.isComposing) return;
    var el = event.target;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      submit(form);
      return;
    }
    if (el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.tagName === "A") return;
    if (el.hasAttribute("data-enter-submits")) return; // the browser submits the form
    event.preventDefault();
    if (el.id === "id_phone") {
      focusCallerAfterLookup = true;
      if (window.htmx) window.htmx.trigger(el, "lookup-now");
      return;
    }
    focusNext(form, el);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "caller" || !focusCallerAfterLookup) return;
    focusCallerAfterLookup = false;
    var first = target.querySelector("input[type=radio]:checked") ||
      target.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-intake]")) return;
    if (form.getAttribute("data-submitting")) { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
    var button = form.querySelector("#intake-submit");
    if (button) {
      // Disabled after the browser has taken the form's values.
      setTimeout(function () { button.disabled = true; button.classList.add("is-busy"); }, 0);
    }
  });

  // A form sent back with errors: the keyboard starts at the first field to fix.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("form[data-intake] [aria-invalid=true]");
    if (invalid) invalid.focus();
  });

  // Back from the ticket page with the browser's back button: the form is live again.
  window.addEventListener("pageshow", function () {
    var form = document.querySelector("form[data-intake]");
    if (!form) return;
    form.removeAttribute("data-submitting");
    var button = form.querySelector("#intake-submit");
    if (button) { button.disabled = false; button.classList.remove("is-busy"); }
  });
})();
