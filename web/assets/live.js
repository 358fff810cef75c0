// lssr serve: live updates of a sweep page. The page is complete without
// this script; it listens to the sweep's server-sent events and, when the
// jobs change, updates the counts and the cells' states at once, then
// reloads the heatmap image and the server-rendered analysis.
(function () {
  "use strict";
  var root = document.getElementById("sweep");
  if (!root || !window.EventSource) return;
  root.dataset.live = "on";

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  // refresh replaces the analysis and the selected cell's list with those
  // of a fresh render of this page; the heatmap links stay, as the event
  // already set their states.
  var refreshing = null;
  function refresh() {
    if (refreshing) { refreshing.again = true; return; }
    refreshing = { again: false };
    fetch(location.href, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["analysis", "cell"].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
      })
      .catch(function () {})
      .then(function () {
        var again = refreshing.again;
        refreshing = null;
        if (again) refresh();
      });
  }

  function apply(live) {
    if (live.fingerprint === root.dataset.fingerprint) return;
    root.dataset.fingerprint = live.fingerprint;
    document.querySelectorAll("#counts [data-count]").forEach(function (td) {
      td.textContent = live.counts[td.dataset.count] || 0;
    });
    setText("outcomes", live.progress.outcomes);
    setText("jobs", live.progress.jobs);
    setText("percent", Math.round(live.progress.percent) + "%");
    var bar = document.getElementById("bar");
    if (bar) { bar.max = live.progress.jobs; bar.value = live.progress.outcomes; }
    var remaining = live.counts.pending + live.counts.running > 0;
    setText("eta", live.eta ? live.eta.text : remaining ? "ETA: once a job has finished" : "ETA: nothing left to run");

    var img = document.getElementById("heatmap-img");
    var missing = !img;
    live.cells.forEach(function (c) {
      var a = document.querySelector('a.cell[data-key="' + CSS.escape(c.key) + '"]');
      if (!a) { missing = true; return; }
      a.dataset.state = c.state;
      a.dataset.finished = c.finished;
      a.dataset.jobs = c.jobs;
      a.title = a.title.replace(/: .*$/, ": " + c.finished + " of " + c.jobs + " finished");
    });
    if (missing) {
      // The heatmap appeared or gained cells: its layout changed, so the
      // server draws the page anew.
      location.reload();
      return;
    }
    // Load the new image before swapping it in, so the old one stays
    // until the new one is ready.
    var next = new Image();
    next.onload = function () { img.src = next.src; };
    next.src = root.dataset.heatmap + "?v=" + encodeURIComponent(live.fingerprint);
    refresh();
  }

  var events = new EventSource(root.dataset.events);
  events.addEventListener("state", function (ev) {
    try { apply(JSON.parse(ev.data)); } catch (e) { /* a bad event changes nothing */ }
  });
})();
