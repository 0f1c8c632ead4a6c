/* The area editor on /admin/omraden: the boundary and the places drawn on the map.
   No inline script (the Content-Security-Policy allows /static only): the page's data is in
   <script type="application/json" id="koll-area-editor">, the forms are plain forms that work
   without this file, and this file only writes into their inputs:
   - the boundary: "Rita gränsen", then a click on the map adds a corner; corners are dragged to
     move them; the ring is written as GeoJSON into the form's hidden input #boundary-input;
   - a place: "Välj på kartan" on its row, then a click on the map sets its latitude/longitude. */
(function () {
  "use strict";

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function parse(text) {
    try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
  }

  function round(x) { return Math.round(x * 1e6) / 1e6; }

  function outerRing(shape) {
    if (!shape || !shape.coordinates) return [];
    var poly = shape.type === "MultiPolygon" ? shape.coordinates[0] : shape.type === "Polygon" ? shape.coordinates : null;
    if (!poly || !poly[0]) return [];
    var ring = poly[0].map(function (p) { return [p[1], p[0]]; });
    if (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
    return ring;
  }

  function withRing(shape, ring) {
    var closed = ring.map(function (p) { return [round(p[1]), round(p[0])]; });
    closed.push(closed[0].slice());
    if (shape && shape.type === "MultiPolygon") {
      var polys = shape.coordinates.slice();
      polys[0] = [closed].concat(polys[0].slice(1));
      return {type: "MultiPolygon", coordinates: polys};
    }
    var holes = shape && shape.type === "Polygon" ? shape.coordinates.slice(1) : [];
    return {type: "Polygon", coordinates: [closed].concat(holes)};
  }

  function number(input) {
    if (!input || input.value.trim() === "") return null;
    var v = parseFloat(input.value.replace(",", "."));
    return isNaN(v) ? null : v;
  }

  function start() {
    var data = document.getElementById("koll-area-editor");
    var el = document.getElementById("area-map");
    if (!data || !el || !window.L) return;
    var cfg = JSON.parse(data.textContent);
    var input = document.getElementById("boundary-input");
    var modeText = document.getElementById("map-mode");
    var countText = document.getElementById("vertex-count");
    var map = L.map(el, {zoomSnap: 0.25, maxZoom: 21, attributionControl: !!cfg.tileUrl, doubleClickZoom: false});
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, {maxZoom: 21, maxNativeZoom: 19})
        .on("tileerror", function () { el.classList.add("no-tiles"); })
        .addTo(map);
    }
    // A view before any layer: Leaflet projects vectors onto the view they are added to.
    var shape = parse(input ? input.value : "") || cfg.boundary;
    var ring = outerRing(shape);
    var bounds = ring.length ? L.latLngBounds(ring) : null;
    Array.prototype.forEach.call(document.querySelectorAll("tr[data-place-row]"), function (row) {
      var lat = number(row.querySelector("input[name$='-lat']")), lon = number(row.querySelector("input[name$='-lon']"));
      if (lat !== null && lon !== null) bounds = bounds ? bounds.extend([lat, lon]) : L.latLngBounds([[lat, lon]]);
    });
    if (bounds) map.fitBounds(bounds.pad(0.15));
    else if (cfg.bounds) map.fitBounds(cfg.bounds);
    else map.setView([62.0, 16.0], 5);
    (cfg.others || []).forEach(function (o) {
      L.geoJSON(o.boundary, {style: {color: "#6b6b6b", weight: 1, fillOpacity: 0.06}, interactive: false}).addTo(map);
    });

    var poly = L.polygon([], {color: "#0b5cad", weight: 3, fillOpacity: 0.08, interactive: false}).addTo(map);
    var handles = L.layerGroup().addTo(map);
    var placeLayer = L.layerGroup().addTo(map);
    var mode = null;

    function setMode(next) {
      mode = next;
      el.dataset.mode = next === null ? "idle" : next === "draw" ? "draw" : "pick";
      document.querySelectorAll("[data-tool='draw']").forEach(function (b) {
        b.setAttribute("aria-pressed", next === "draw" ? "true" : "false");
      });
      if (modeText) modeText.textContent = modeText.dataset[next === null ? "idle" : next === "draw" ? "draw" : "pick"];
    }

    function write() {
      if (!input) return;
      input.value = ring.length >= 3 ? JSON.stringify(withRing(shape, ring)) : "";
      el.dataset.vertices = String(ring.length);
    }

    function redraw() {
      poly.setLatLngs(ring);
      handles.clearLayers();
      ring.forEach(function (p, i) {
        var m = L.marker(p, {draggable: true, keyboard: false, title: String(i + 1),
                             icon: L.divIcon({className: "vertex", iconSize: [14, 14]})});
        m.on("drag", function (e) {
          var ll = e.target.getLatLng();
          ring[i] = [ll.lat, ll.lng];
          poly.setLatLngs(ring);
        });
        m.on("dragend", write);
        handles.addLayer(m);
      });
      el.dataset.vertices = String(ring.length);
      if (countText) countText.textContent = countText.dataset.text.replace("{n}", ring.length);
    }

    function placeRows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-place-row]")); }

    function field(row, name) { return row.querySelector("input[name$='-" + name + "']"); }

    function drawPlaces() {
      placeLayer.clearLayers();
      placeRows().forEach(function (row) {
        var name = (field(row, "sv") || {}).value || (field(row, "code") || {}).value || "";
        var shapeInput = field(row, "shape");
        if (shapeInput && shapeInput.value) {
          var g = parse(shapeInput.value);
          if (g) L.geoJSON(g, {style: {color: "#6b6b6b", weight: 1, fillColor: "#d9d4c7", fillOpacity: 0.45},
                               interactive: false}).addTo(placeLayer);
          return;
        }
        var lat = number(field(row, "lat")), lon = number(field(row, "lon"));
        if (lat === null || lon === null) return;
        var r = number(field(row, "radius_m")) || 20;
        L.circle([lat, lon], {radius: r, color: "#6b6b6b", weight: 1, fillColor: "#d9d4c7", fillOpacity: 0.45,
                              interactive: false}).addTo(placeLayer);
        L.marker([lat, lon], {icon: L.divIcon({className: "place-label", html: escapeHtml(name), iconSize: null}),
                              keyboard: false, interactive: false}).addTo(placeLayer);
      });
    }

    map.on("click", function (e) {
      if (mode === "draw") {
        ring.push([e.latlng.lat, e.latlng.lng]);
        redraw();
        write();
      } else if (mode && mode.row) {
        var lat = field(mode.row, "lat"), lon = field(mode.row, "lon"), r = field(mode.row, "radius_m");
        lat.value = String(round(e.latlng.lat));
        lon.value = String(round(e.latlng.lng));
        if (r && !r.value) r.value = "25";
        mode.row.dataset.picked = "1";
        drawPlaces();
        setMode(null);
      }
    });

    document.querySelectorAll("[data-tool]").forEach(function (b) {
      b.addEventListener("click", function () {
        var tool = b.dataset.tool;
        if (tool === "draw") setMode(mode === "draw" ? null : "draw");
        if (tool === "undo" && ring.length) { ring.pop(); redraw(); write(); }
        if (tool === "clear") { ring = []; redraw(); write(); setMode("draw"); }
      });
    });
    document.querySelectorAll("[data-pick]").forEach(function (b) {
      b.addEventListener("click", function () {
        setMode({row: b.closest("tr")});
        el.scrollIntoView({block: "center"});
      });
    });
    placeRows().forEach(function (row) {
      row.querySelectorAll("input").forEach(function (i) { i.addEventListener("change", drawPlaces); });
    });

    redraw();
    drawPlaces();
    setMode(null);
    document.body.dataset.mapReady = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
