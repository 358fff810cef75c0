// lssr serve: live updates of a sweep page. The page is complete without
// this script; it listens to the sweep's server-sent events and, when the
// jobs change, updates the counts and the cells' states at once, then
// takes the new heatmap image, cell positions and analysis from a fresh
// server render of the page.
(function () {
  "use strict";
  var root = document.getElementById("sweep");
  if (!root || !window.EventSource) return;
  root.dataset.live = "on";

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  // refresh draws the page anew on the server and takes from it the
  // heatmap image with the positions of its cell links (the figure's layout
  // moves when its legend changes), the analysis and the selected cell's
  // list. The links themselves stay, their states set by the event.
  var refreshing = null;
  function refresh() {
    if (refreshing) { refreshing.again = true; return; }
    refreshing = { again: false };
    fetch(location.href, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var img = document.getElementById("heatmap-img");
        var freshImg = doc.getElementById("heatmap-img");
        var freshLinks = doc.querySelectorAll("a.cell");
        if (!img || !freshImg || freshLinks.length !== document.querySelectorAll("a.cell").length) {
          location.reload();
          return;
        }
        var freshRoot = doc.getElementById("sweep");
        later(freshRoot && freshRoot.dataset.staleMs);
        ["analysis", "cell"].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
        // Swap the image once the new one has loaded, and move the links
        // with it, so the two always match.
        var next = new Image();
        next.onload = function () {
          img.src = next.src;
          freshLinks.forEach(function (f) {
            var a = document.querySelector('a.cell[data-key="' + CSS.escape(f.dataset.key) + '"]');
            if (a) a.setAttribute("style", f.getAttribute("style"));
          });
        };
        next.src = freshImg.getAttribute("src");
      })
      .catch(function () {})
      .then(function () {
        var again = refreshing.again;
        refreshing = null;
        if (again) refresh();
      });
  }

  // later asks for the page again in ms milliseconds, when the server said
  // its heatmap and fits are of an earlier state of the jobs and when it
  // will redraw them (it spaces its analyses so that watching a running
  // sweep takes little of the machine the sweep runs on).
  // Until then, new events update the counts and cells but fetch nothing:
  // the server would only read the sweep again to say the same.
  var laterTimer = null;
  function later(ms) {
    clearTimeout(laterTimer);
    laterTimer = null;
    if (!ms) return;
    laterTimer = setTimeout(function () { laterTimer = null; refresh(); }, Number(ms) + 50);
  }
  later(root.dataset.staleMs);

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

    live.cells.forEach(function (c) {
      var a = document.querySelector('a.cell[data-key="' + CSS.escape(c.key) + '"]');
      if (!a) return; // a new cell: refresh reloads the page
      a.dataset.state = c.state;
      a.dataset.finished = c.finished;
      a.dataset.jobs = c.jobs;
      a.title = a.title.replace(/: .*$/, ": " + c.finished + " of " + c.jobs + " finished");
    });
    if (!laterTimer) refresh();
  }

  var events = new EventSource(root.dataset.events);
  events.addEventListener("state", function (ev) {
    try { apply(JSON.parse(ev.data)); } catch (e) { /* a bad event changes nothing */ }
  });
})();
