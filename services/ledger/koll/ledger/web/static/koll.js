/* Koll boards: the map (Leaflet, clustered markers, heat), charts (Chart.js) and PNG downloads.
   Everything is served from /static; nothing is fetched from outside this server unless a tile
   URL is configured (KOLL_TILE_URL). */
(function () {
  "use strict";

  // Charts are exported as PNG: paint a white background so the image is readable anywhere.
  var whiteBackground = {
    id: "kollWhite",
    beforeDraw: function (chart) {
      var ctx = chart.canvas.getContext("2d");
      ctx.save();
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    }
  };

  function chartDefaults() {
    if (!window.Chart) return;
    Chart.defaults.font.size = 15;
    Chart.defaults.color = "#1a1a1a";
    Chart.defaults.animation = false;   // instant on a projector, and stable screenshots
    Chart.register(whiteBackground);
  }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // Chart.js gives a vertical axis only part of the width and cuts a longer label ("Nedskräpning
  // och renhållning"): a label given as lines is drawn whole.
  function wrapped(label, width) {
    var lines = [], line = "";
    String(label).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : label;
  }

  function barChart(id, series, colours) {
    var el = document.getElementById(id);
    if (!el || !window.Chart) return null;
    return new Chart(el, {
      type: "bar",
      data: {labels: series.labels.map(function (l) { return wrapped(l, 16); }), datasets: [{data: series.data, backgroundColor: colours || "#0b5cad"}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}}, maintainAspectRatio: false,
                scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}
    });
  }

  function trendChart(id, series) {
    var el = document.getElementById(id);
    if (!el || !window.Chart) return null;
    return new Chart(el, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: series.datasets.map(function (d) {
          return {label: d.label, data: d.data, backgroundColor: d.colour, stack: "s"};
        })
      },
      options: {maintainAspectRatio: false, plugins: {legend: {position: "bottom"}},
                scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}}
    });
  }

  function pngButtons() {
    document.querySelectorAll("button.png").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var canvas = document.getElementById(btn.dataset.chart);
        var a = document.createElement("a");
        a.href = canvas.toDataURL("image/png");
        a.download = btn.dataset.name || "diagram.png";
        document.body.appendChild(a);
        a.click();
        a.remove();
      });
    });
  }

  /* A map of the square: named places labelled, a plain background unless tiles are configured. */
  function squareMap(el, config) {
    var map = L.map(el, {zoomSnap: 0.25, maxZoom: 21, attributionControl: !!config.tileUrl});
    var bounds = L.latLngBounds(config.places.map(function (p) { return [p.lat, p.lon]; }));
    map.fitBounds(bounds.pad(0.15));
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, {maxZoom: 21, maxNativeZoom: 19, attribution: config.tileAttribution || ""})
        .on("tileerror", function () { el.classList.add("no-tiles"); })
        .addTo(map);
    }
    var placeLayer = L.layerGroup().addTo(map);
    config.places.forEach(function (p) {
      L.circle([p.lat, p.lon], {radius: p.r, color: "#6b6b6b", weight: 1, fillColor: "#d9d4c7", fillOpacity: 0.45,
                                interactive: false}).addTo(placeLayer);
      L.marker([p.lat, p.lon], {
        icon: L.divIcon({className: "place-label", html: escapeHtml(p.label), iconSize: null}),
        keyboard: false, interactive: false
      }).addTo(placeLayer);
    });
    return map;
  }

  function colourOf(groups) {
    var byCode = {};
    groups.forEach(function (g) { byCode[g.code] = g.colour; });
    return function (code) { return byCode[code] || "#555"; };
  }

  function caseMarker(f, colour) {
    var p = f.properties, c = f.geometry.coordinates;
    var m = L.marker([c[1], c[0]], {
      icon: L.divIcon({className: "case-dot", html: '<span style="background:' + colour(p.group) + '"></span>',
                       iconSize: [18, 18]}),
      title: p.category_label + " – " + p.place_label, alt: p.category_label
    });
    m.bindPopup("<strong>" + escapeHtml(p.category_label) + "</strong><br>" + escapeHtml(p.group_label) +
                "<br>" + escapeHtml(p.place_label) + "<br>" + escapeHtml(p.status_label) +
                (p.observations ? " · " + p.observations : "") +
                (p.id ? '<br><a class="case-link" href="/arenden/' + encodeURIComponent(p.id) + '">' +
                        escapeHtml(p.open_label || "→") + "</a>" : ""));
    return m;
  }

  function showFeatures(map, fc, config, labels) {
    var colour = colourOf(config.groups);
    var cluster = L.markerClusterGroup({maxClusterRadius: 40, showCoverageOnHover: false});
    var heat = [];
    fc.features.forEach(function (f) {
      cluster.addLayer(caseMarker(f, colour));
      var c = f.geometry.coordinates;
      heat.push([c[1], c[0], Math.min(1, 0.35 + 0.15 * (f.properties.observations || 1))]);
    });
    map.addLayer(cluster);
    var overlays = {};
    overlays[labels.cases] = cluster;
    if (L.heatLayer) {
      var heatLayer = L.heatLayer(heat, {radius: 28, blur: 22, minOpacity: 0.25, maxZoom: 19});
      heatLayer.addTo(map);
      overlays[labels.heat] = heatLayer;
    }
    L.control.layers(null, overlays, {collapsed: false}).addTo(map);
    return cluster;
  }

  /* The server sends the map's points as compact rows; make them GeoJSON-like features. */
  function pointsToFeatures(got, labels) {
    var col = {};
    got.columns.forEach(function (name, i) { col[name] = i; });
    return {type: "FeatureCollection", features: got.points.map(function (r) {
      var group = r[col.group];
      return {type: "Feature", geometry: {type: "Point", coordinates: [r[col.lon], r[col.lat]]},
              properties: {id: r[col.id], group: group, category: r[col.category], observations: r[col.observations],
                           category_label: labels.category[r[col.category]] || r[col.category],
                           group_label: labels.group[group] || group, place_label: labels.place[r[col.place]] || "",
                           status_label: labels.status[r[col.status]] || r[col.status],
                           open_label: labels.open_case}};
    })};
  }

  function situation(data) {
    chartDefaults();
    var charts = data.charts;
    window.kollCharts = [
      barChart("chart-by-group", charts.by_group, charts.by_group.colours),
      trendChart("chart-trend-4", charts.trend_4),
      trendChart("chart-trend-12", charts.trend_12)
    ];
    pngButtons();
    var el = document.getElementById("map");
    if (!el || !window.L) return;
    var map = squareMap(el, data.map);
    fetch(el.dataset.src, {credentials: "same-origin", headers: {"Accept": "application/geo+json"}})
      .then(function (r) { return r.json(); })
      .then(function (got) {
        var fc = pointsToFeatures(got, data.map.labels);
        showFeatures(map, fc, data.map, {cases: data.cases, heat: data.heat});
        el.dataset.features = String(fc.features.length);
        el.dataset.total = String(got.total);
        var capped = document.getElementById("map-capped");
        if (capped && got.total > fc.features.length) {
          capped.textContent = capped.textContent.replace("{shown}", fc.features.length).replace("{total}", got.total);
          capped.hidden = false;
        }
        document.body.dataset.mapReady = "1";
      })
      .catch(function () { document.body.dataset.mapReady = "error"; });
  }

  /* Findings of walks: features given in the page, coloured by group. */
  function findings(data) {
    var el = document.getElementById("map");
    if (!el || !window.L) return;
    var map = squareMap(el, data.map);
    showFeatures(map, data.features, data.map, {cases: data.cases, heat: data.heat});
    document.body.dataset.mapReady = "1";
  }

  function printButtons() {
    document.querySelectorAll("button.print").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  function trendCharts(data) {
    chartDefaults();
    window.kollCharts = (data || []).map(function (d) {
      var el = document.getElementById(d.id);
      if (!el) return null;
      /* Several series (a baseline period, the measure's own period, a target) or one. */
      var sets = d.datasets ? d.datasets.map(function (s) {
        return {label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, tension: 0.2,
                spanGaps: false, pointRadius: s.dash ? 0 : 2, borderDash: s.dash ? [6, 4] : []};
      }) : [{label: d.label, data: d.data, borderColor: "#0b5cad", backgroundColor: "#0b5cad", tension: 0.2}];
      return new Chart(el, {
        type: "line",
        data: {labels: d.labels, datasets: sets},
        options: {maintainAspectRatio: false, plugins: {legend: {display: !!d.datasets}},
                  scales: {y: {beginAtZero: true}}}
      });
    });
    pngButtons();
  }

  window.Koll = {situation: situation, findings: findings, trendCharts: trendCharts, printButtons: printButtons};

  /* A page names what to start on its JSON data block (data-koll-start="situation"), so no page
     needs an inline script: the Content-Security-Policy allows scripts from /static only. */
  function start() {
    printButtons();
    document.querySelectorAll("script[type='application/json'][data-koll-start]").forEach(function (el) {
      var fn = window.Koll[el.dataset.kollStart];
      if (typeof fn === "function" && fn !== printButtons) fn(JSON.parse(el.textContent));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
