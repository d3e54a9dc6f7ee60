// fivestar — small behaviours for server-rendered pages. No inline scripts (CSP), no build step.
(function () {
  "use strict";

  // SLA countdowns: <span class="countdown" data-due="ISO"> shows h:mm left, or −h:mm overdue.
  function formatSpan(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var text = (days ? days + "d " : "") + hours + ":" + (mins < 10 ? "0" : "") + mins;
    return (ms < 0 ? "−" : "") + text;
  }
  function tickCountdowns(root) {
    var now = Date.now();
    (root || document).querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now;
      var value = el.querySelector(".countdown-value");
      if (value) value.textContent = formatSpan(left);
      var warnAt = Date.parse(el.getAttribute("data-warn") || "");
      el.classList.toggle("state-breached", left < 0);
      el.classList.toggle("state-warning", left >= 0 && !isNaN(warnAt) && now >= warnAt);
    });
  }

  // <select data-autosubmit> submits its form when changed (language switch, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
    }
  });

  // <button data-confirm="…"> asks before a destructive action on plain (non-htmx) forms.
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-confirm]");
    if (el && !el.hasAttribute("hx-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    tickCountdowns(document);
    setInterval(function () { tickCountdowns(document); }, 15000);
  });
  document.addEventListener("htmx:afterSwap", function (event) { tickCountdowns(event.target); });

  window.fivestar = { tickCountdowns: tickCountdowns };
})();
