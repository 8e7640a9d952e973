(function () {
  "use strict";
  var form = document.getElementById("filters");
  var search = document.getElementById("search");
  var status = document.getElementById("status");
  var page = { offset: 0, limit: 25, total: 0 };
  // Vega interprets the charts' expressions (no eval, which the page's security policy
  // forbids); vega-embed and its tooltips insert no style element (dashboard.css styles them)
  var EMBED = { actions: false, renderer: "svg", ast: true, defaultStyle: false,
                tooltip: { disableDefaultStyle: true } };
  // Answers can come back in any order; only the latest request of each kind is shown.
  var latest = { view: 0, events: 0 };
  function only(kind, show) {
    var ticket = ++latest[kind];
    return function (body) { if (ticket === latest[kind]) { show(body); } return ticket === latest[kind]; };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function num(v) { return v === null || v === undefined ? "—" : (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(2) : String(v)); }
  function params(extra) {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (v !== "") { p.append(k, v); } });
    Object.keys(extra || {}).forEach(function (k) { if (extra[k] !== "" && extra[k] !== null) { p.set(k, extra[k]); } });
    return p;
  }
  function fail(res, body) {
    status.textContent = (body && body.error) ? body.error : ("request failed: " + res.status);
    status.className = "error";
  }
  function getJSON(url) {
    return fetch(url).then(function (res) {
      return res.json().then(function (body) { if (!res.ok) { fail(res, body); throw new Error("bad request"); } return body; });
    });
  }

  function showView(v) {
    document.getElementById("title").textContent = v.title;
    document.getElementById("summary").textContent = v.glance.summary;
    var notes = document.getElementById("notes"); notes.textContent = "";
    v.glance.notes.forEach(function (n) { notes.appendChild(el("p", { "class": "note" }, n)); });
    var cards = document.getElementById("cards"); cards.textContent = "";
    function card(f, kind) {
      var c = el("div", { "class": "card", "data-indicator": f.indicator, "data-kind": kind });
      var when = kind === "steady" ? " · headline: latest complete period with enough evidence" : "";
      if (kind !== "steady" && (f.coverage === "partial" || f.coverage === "missing")) { when += " · " + f.coverage + " period, not the headline"; }
      if (kind !== "steady" && f.low_evidence && f.coverage !== "missing") { when += " · few events"; }
      if (f.untagged_share) { when += " · " + Math.round(100 * f.untagged_share) + "% no issue area"; }
      if (f.coverage) { c.setAttribute("data-coverage", f.coverage); }
      c.appendChild(el("div", { "class": "label" }, f.dataset + " · " + f.label + when));
      c.appendChild(el("div", { "class": "value" }, num(f.value)));
      c.appendChild(el("div", { "class": "delta" }, f.baseline === null ? "no baseline" : "baseline " + num(f.baseline) + " · change " + num(f.diff)));
      cards.appendChild(c);
    }
    (v.glance.steady || []).forEach(function (f) { card(f, "steady"); });
    v.glance.figures.forEach(function (f) { card(f, "latest"); });
    (v.glance.forecasts || []).forEach(function (fc) {
      notes.appendChild(el("p", { "class": "note forecast" }, fc.dataset + " forecast: " + fc.message));
    });
    var list = document.getElementById("chart-list"); list.textContent = "";
    v.charts.forEach(function (c) {
      var fig = el("figure", { "class": "chart", id: "chart-" + c.name });
      fig.appendChild(el("h3", {}, c.title));
      fig.appendChild(el("figcaption", {}, c.description));
      if (c.spec) {
        var vis = el("div", { "class": "vis", id: "vis-" + c.name });
        fig.appendChild(vis);
        list.appendChild(fig);
        vegaEmbed(vis, c.spec, EMBED).then(function () {
          vis.setAttribute("data-rendered", "true");
        }).catch(function (err) { vis.setAttribute("data-rendered", "error"); vis.textContent = "This chart could not be drawn: " + err; });
      } else {
        fig.appendChild(el("p", { "class": "empty", "data-empty": c.name }, c.empty_reason));
        list.appendChild(fig);
      }
    });
  }

  function showEvents(body) {
    page.total = body.total;
    var tbody = document.querySelector("#events-table tbody"); tbody.textContent = "";
    function actor(name, code) { return name && code ? name + " (" + code + ")" : (name || code || "?"); }
    body.events.forEach(function (e) {
      var tr = el("tr", { "data-event": e.event_id });
      [e.date, actor(e.source_name, e.source_actor) + " → " + actor(e.target_name, e.target_actor),
       [e.event_code, e.event_label].filter(Boolean).join(" "), num(e.goldstein),
       (e.issue_areas || []).join(", "), e.dataset, e.text || e.citation_title || "", e.place || ""].forEach(function (v) { tr.appendChild(el("td", {}, v)); });
      var src = el("td", {}, e.publisher || e.citation_issuer || "");
      if (e.url) {
        if (src.textContent) { src.appendChild(document.createTextNode(" ")); }
        src.appendChild(el("a", { href: e.url, rel: "noopener noreferrer" }, "link"));
      }
      tr.appendChild(src);
      tbody.appendChild(tr);
    });
    var last = Math.min(body.offset + body.events.length, body.total);
    document.getElementById("events-count").textContent = body.total ? ("events " + (body.offset + 1) + "–" + last + " of " + body.total) : "no events for this view";
    // "earlier" and "later" are in time: with the newest first, later events are on the
    // pages before this one
    var newest = (new FormData(search).get("order") || "newest") === "newest";
    var atStart = body.offset <= 0, atEnd = last >= body.total;
    document.getElementById("prev").disabled = newest ? atEnd : atStart;
    document.getElementById("next").disabled = newest ? atStart : atEnd;
  }
  function turn(towardLater) {
    var newest = (new FormData(search).get("order") || "newest") === "newest";
    var step = (towardLater === newest) ? -page.limit : page.limit;
    page.offset = Math.max(0, page.offset + step);
    loadEvents();
  }

  function loadEvents() {
    var terms = new FormData(search);
    var p = params({ limit: page.limit, offset: page.offset, search: terms.get("search") || "",
                     order: terms.get("order") || "newest" });
    p.delete("period");
    return getJSON("/api/events?" + p.toString()).then(only("events", showEvents));
  }

  function refresh() {
    status.className = "muted"; status.textContent = "loading…";
    page.offset = 0;
    var p = params();
    history.replaceState(null, "", "?" + p.toString());
    document.getElementById("brief-link").setAttribute("href", "/brief?" + p.toString());
    return Promise.all([getJSON("/api/view?" + p.toString()).then(only("view", showView)), loadEvents()]).then(function (shown) {
      if (shown[0] && shown[1]) { status.textContent = "up to date"; document.body.setAttribute("data-ready", "true"); }
    }).catch(function () { document.body.setAttribute("data-ready", "error"); });
  }

  function init(meta) {
    var issue = form.elements.issue, dataset = form.elements.dataset;
    meta.issue_areas.forEach(function (a) { issue.appendChild(el("option", { value: a }, a)); });
    meta.datasets.forEach(function (d) { dataset.appendChild(el("option", { value: d.dataset }, d.dataset + " (" + d.events + ")")); });
    new URLSearchParams(location.search).forEach(function (v, k) { if (form.elements[k]) { form.elements[k].value = v; } });
    form.addEventListener("change", function () { if (form.checkValidity()) { refresh(); } });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); refresh(); });
    search.addEventListener("submit", function (ev) { ev.preventDefault(); page.offset = 0; loadEvents(); });
    search.elements.order.addEventListener("change", function () { page.offset = 0; loadEvents(); });
    document.getElementById("prev").addEventListener("click", function () { turn(false); });
    document.getElementById("next").addEventListener("click", function () { turn(true); });
    return refresh();
  }

  getJSON("/api/datasets").then(init);
})();
