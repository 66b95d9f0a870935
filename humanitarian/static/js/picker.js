// Location picker for the incident and facility forms, on the vendored Leaflet (no tiles: the
// gazetteer's own borders and names, served simplified by /api/v1/admin-areas?format=geojson,
// are the whole map, so it works offline). Clicking the map fills latitude and longitude and
// asks /api/v1/admin-areas/locate for the area, which goes into the p-code field; typing a
// p-code or a name there (forms.js resolves names) highlights that area. Without JavaScript
// the box stays hidden and the fields work as plain inputs.
(function () {
  "use strict";
  var box = document.getElementById("location-picker");
  if (!box || !window.L) { return; }
  var code = document.getElementById("f-admin_pcode");
  var lat = document.getElementById("f-latitude");
  var lon = document.getElementById("f-longitude");
  var status = box.querySelector(".picker-status");
  var areasUrl = box.getAttribute("data-areas-url");
  var locateUrl = box.getAttribute("data-locate-url");
  // Simplification per level, in degrees: enough for a form-sized map, a fraction of the size.
  var TOLERANCE = { 1: 0.01, 2: 0.005, 3: 0.002 };
  var STYLE = {
    1: { color: "#4b5868", weight: 1.6, fill: false, interactive: false },
    2: { color: "#9aa5b1", weight: 0.8, fillColor: "#f7f4f0", fillOpacity: 1, interactive: false },
    3: { color: "#b8c1ca", weight: 0.5, dashArray: "2 3", fill: false, interactive: false }
  };
  var features = {};      // p-code → GeoJSON feature, for every level loaded
  var loading = {};       // level → promise of its layer
  var highlight = null;
  var marker = null;
  var quiet = false;      // the map itself is setting the p-code: no zooming to it

  box.hidden = false;
  var map = L.map(box.querySelector(".picker-map"), { zoomSnap: 0.5, minZoom: 5, maxZoom: 14 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(box.getAttribute("data-attribution"));
  map.fitBounds([[32.3, 35.6], [37.4, 42.4]]);
  box.picker = { map: map, highlighted: function () { return highlight && highlight.pcode; } };

  function say(text) { status.textContent = text; }

  function level(n) {
    if (!loading[n]) {
      loading[n] = fetch(areasUrl + "?format=geojson&level=" + n + "&simplify=" + TOLERANCE[n])
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          data.features.forEach(function (f) { features[f.id] = f; });
          return L.geoJSON(data, { style: STYLE[n], interactive: false });
        });
    }
    return loading[n];
  }

  function labels(layer) {
    var group = L.layerGroup();
    layer.eachLayer(function (item) {
      var p = item.feature.properties;
      if (p.centroid_lat === null) { return; }
      group.addLayer(L.tooltip({ permanent: true, direction: "center", className: "picker-label" })
        .setLatLng([p.centroid_lat, p.centroid_lon]).setContent(p.name_en));
    });
    return group;
  }

  // Districts under governorates; district names once zoomed in, sub-districts further in.
  Promise.all([level(2), level(1)]).then(function (layers) {
    layers[0].addTo(map);
    layers[1].addTo(map);
    var governorates = labels(layers[1]).addTo(map);
    var districts = labels(layers[0]);
    map.on("zoomend", function () {
      var z = map.getZoom();
      if (z >= 8) { map.removeLayer(governorates); districts.addTo(map); }
      else { map.removeLayer(districts); governorates.addTo(map); }
      if (z >= 9) { level(3).then(function (l) { l.addTo(map); l.bringToBack(); layers[0].bringToBack(); }); }
    });
    box.classList.add("ready");
    show(false);
  }).catch(function () { say("The map could not load its boundaries; type the area and coordinates instead."); });

  function outline(pcode, fit) {
    var f = features[pcode];
    if (!f) {
      // Sub-districts are loaded on demand; anything else unknown is simply not drawn.
      if (/^[A-Z]{2}\d{6,}$/.test(pcode) && !loading[3]) { level(3).then(function () { outline(pcode, fit); }); }
      return;
    }
    if (highlight) { map.removeLayer(highlight.layer); }
    var layer = L.geoJSON(f, { style: { color: "#0b5ea8", weight: 3, fillColor: "#0b5ea8", fillOpacity: 0.18, className: "picker-highlight", interactive: false } }).addTo(map);
    highlight = { pcode: pcode, layer: layer };
    box.setAttribute("data-highlighted", pcode);
    say(f.properties.name_en + " · " + f.properties.name_ar + " (" + pcode + ")");
    if (fit) { map.fitBounds(layer.getBounds(), { maxZoom: 11, padding: [12, 12] }); }
  }

  function point() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    return isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180 ? [a, b] : null;
  }

  function pin(p) {
    if (!marker) { marker = L.circleMarker(p, { radius: 7, color: "#fff", weight: 2, fillColor: "#b42318", fillOpacity: 1, className: "picker-point" }).addTo(map); }
    else { marker.setLatLng(p); }
  }

  // Initial state: what the form already holds (a correction, a redisplayed form).
  function show(fit) {
    var p = point();
    if (p) { pin(p); }
    var c = code.value.trim().toUpperCase();
    if (c) { outline(c, fit || !p); }
    if (p && !c) { map.setView(p, 10); }
  }

  function locate(p) {
    say("Finding the area…");
    fetch(locateUrl + "?lat=" + p[0] + "&lon=" + p[1])
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { say("No known area contains this point."); return; }
        var deepest = body.items[body.items.length - 1];
        code.value = deepest.pcode;
        quiet = true;
        code.dispatchEvent(new Event("input", { bubbles: true }));  // forms.js names it
        quiet = false;
        outline(deepest.pcode, false);
      })
      .catch(function () { say("Could not look up the area; type it instead."); });
  }

  map.on("click", function (e) {
    var p = [Math.round(e.latlng.lat * 1e5) / 1e5, Math.round(e.latlng.lng * 1e5) / 1e5];
    lat.value = p[0];
    lon.value = p[1];
    pin(p);
    locate(p);
  });

  function typedArea() {
    var c = code.value.trim().toUpperCase();
    if (/^[A-Z]{2}\d*$/.test(c)) { outline(c, true); }
  }
  code.addEventListener("area:resolved", typedArea);
  code.addEventListener("change", typedArea);
  code.addEventListener("input", function () {
    if (!quiet && features[code.value.trim().toUpperCase()]) { typedArea(); }
  });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var p = point();
      if (!p) { return; }
      pin(p);
      if (!code.value.trim()) { locate(p); }
    });
  });
})();
