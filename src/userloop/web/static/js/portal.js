// portal pages: live parts only; every page works without JavaScript.
"use strict";

(function () {
  // Wait this long after the last keystroke before asking for suggestions.
  var DEBOUNCE_MS = 350;
  // The server answers nothing for shorter drafts; do not ask.
  var MIN_CHARS = 10;
  // Only the start of a draft matters for finding its topic; keeps the URL short. The server
  // embeds no more than this (SUGGESTION_MAX_CHARS in views/portal.py).
  var MAX_QUERY_CHARS = 300;

  function numberFormat() {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined);
    } catch (e) {
      return new Intl.NumberFormat();
    }
  }

  // -- "Already reported?" suggestions while typing -------------------------------------
  function setupSuggestions() {
    var text = document.getElementById("text");
    var box = document.getElementById("suggestions");
    if (!text || !box || !window.fetch) {
      return;
    }
    var timer = null;
    var inFlight = null;
    var lastQuery = null;

    function clear() {
      box.replaceChildren();
      lastQuery = null;
    }

    function load() {
      var query = text.value.trim().slice(0, MAX_QUERY_CHARS);
      if (query.length < MIN_CHARS) {
        clear();
        return;
      }
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (inFlight) {
        inFlight.abort();
      }
      inFlight = new AbortController();
      fetch("/suggestions?text=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: inFlight.signal,
      })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          // The fragment is rendered and escaped by the server (our own templates).
          if (html.trim()) {
            box.innerHTML = html;
          } else {
            box.replaceChildren();
          }
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") {
            return;
          }
          lastQuery = null; // a network hiccup: try again on the next keystroke
        });
    }

    text.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, DEBOUNCE_MS);
    });
    // A form shown again after an error keeps its text: show its suggestions at once.
    if (text.value.trim().length >= MIN_CHARS) {
      load();
    }
  }

  // -- "This is my problem too" votes without leaving the page ---------------------------
  function markVoted(form, votes) {
    var button = form.querySelector("button[type=submit]");
    var count = form.querySelector(".vote-count");
    if (button) {
      button.disabled = true;
      if (button.dataset.votedLabel) {
        button.textContent = button.dataset.votedLabel;
      }
    }
    if (count && count.dataset.template && typeof votes === "number") {
      count.textContent = count.dataset.template.replace(
        "%(count)s",
        numberFormat().format(votes)
      );
    }
  }

  function setupVotes() {
    // Delegated, so vote forms inserted later (suggestions) are enhanced too.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-vote") || !window.fetch) {
        return;
      }
      if (form.dataset.sending === "yes") {
        event.preventDefault();
        return;
      }
      event.preventDefault();
      form.dataset.sending = "yes";
      var data = new FormData(form);
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRF-Token": String(data.get("csrf_token") || ""),
        },
        body: new URLSearchParams(data),
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("vote failed: " + response.status);
          }
          return response.json();
        })
        .then(function (reply) {
          markVoted(form, reply.votes);
        })
        .catch(function () {
          // Let the browser post the form itself: the visitor sees the server's page
          // (the topic, or a message saying what went wrong).
          form.submit();
        })
        .finally(function () {
          delete form.dataset.sending;
        });
    });
  }

  function start() {
    // After a refused submit, take keyboard and screen reader users to the list of problems.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    setupSuggestions();
    setupVotes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
