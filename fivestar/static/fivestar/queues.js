// Queues and supervisor console: polite auto-refresh and visible errors. No inline scripts (CSP).
(function () {
  "use strict";

  // The area a page refreshes: the queue's results, or the supervisor console's body.
  function results() {
    return document.getElementById("queue-results") || document.getElementById("console-body");
  }

  function selecting() {
    return window.getSelection && String(window.getSelection()).length > 0;
  }

  // The console is in use: a reassign or approve form has the keyboard (a list open, a person
  // being picked), or one of its rows is waiting for the server.
  function consoleBusy(area) {
    if (!area) return false;
    var active = document.activeElement;
    var typing = active && active !== document.body && area.contains(active) && active.closest("form");
    return Boolean(typing) || Boolean(area.querySelector(".htmx-request"));
  }

  // The 30 s refresh replaces the results; skip a round while the user is inside them (a
  // focused link, a selection being made), so the refresh never takes their place away; and
  // while the tab is hidden (nobody is looking; the next visible round catches up).
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt) return;
    var area = results();
    if (elt.id === "queue-poll") {
      var active = document.activeElement;
      if (document.hidden || selecting() || (area && active && active !== document.body && area.contains(active))) {
        event.preventDefault();
      }
    } else if (elt.id === "console-poll") {
      if (document.hidden || selecting() || consoleBusy(area)) event.preventDefault();
    }
  });

  // The console's refresh keeps what the user has started: a person chosen in a reassign list
  // but not yet sent stays chosen in the new rows. An answer that arrives while a form is in
  // use (the user started after the request left) is dropped; the next round brings it.
  // (The swap events' ``elt`` is the target; the element that asked is the request's.)
  function requester(event) {
    var config = event.detail && event.detail.requestConfig;
    return config && config.elt;
  }
  var chosen = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = requester(event);
    if (!elt || elt.id !== "console-poll") return;
    var area = results();
    if (consoleBusy(area)) {
      event.detail.shouldSwap = false;
      return;
    }
    chosen = {};
    if (area) {
      area.querySelectorAll(".assign-form select").forEach(function (select) {
        if (select.id && select.value) chosen[select.id] = select.value;
      });
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = requester(event);
    if (!chosen || !elt || elt.id !== "console-poll") return;
    Object.keys(chosen).forEach(function (id) {
      var select = document.getElementById(id);
      if (select && select.querySelector('option[value="' + chosen[id] + '"]:not([disabled])')) {
        select.value = chosen[id];
      }
    });
    chosen = null;
  });

  function showQueueError(show) {
    var area = results();
    var box = area && area.querySelector(".queue-error");
    if (box) box.hidden = !show;
  }

  function rowError(elt, text) {
    var cell = elt.closest && elt.closest(".console-action");
    if (!cell) return false;
    var box = cell.querySelector(".errorlist.js-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "errorlist js-error";
      box.setAttribute("role", "alert");
      cell.appendChild(box);
    }
    box.textContent = text;
    return true;
  }

  function failed(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    // The words come from the page (translated there): <div id="queue-strings" data-…>.
    var strings = document.getElementById("queue-strings");
    var text = strings ? strings.getAttribute(status === 403 || status === 404 ? "data-gone" : "data-failed") : "";
    if (rowError(elt, text)) return;
    showQueueError(true);
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // On a phone the filters fold behind "更多筛选" (CSS hides them only once this has run).
  function setUpFilters() {
    var form = document.getElementById("queue-filters");
    if (!form) return;
    form.classList.add("has-js");
    var toggle = form.querySelector(".queue-filters-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", function () {
      var open = form.classList.toggle("is-expanded");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpFilters);
  else setUpFilters();

  // On a narrow screen the tabs scroll sideways: keep the current one in sight.
  function revealCurrentTab() {
    var current = document.querySelector(".queue-tabs .is-current");
    if (!current) return;
    var strip = current.parentNode;
    if (current.offsetLeft + current.offsetWidth > strip.scrollLeft + strip.clientWidth) {
      strip.scrollLeft = current.offsetLeft - 8;
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", revealCurrentTab);
  else revealCurrentTab();

  document.addEventListener("htmx:afterSettle", function () {
    revealCurrentTab();
    showQueueError(false);
    if (window.fivestar && window.fivestar.tickCountdowns) window.fivestar.tickCountdowns(document);
  });
})();
