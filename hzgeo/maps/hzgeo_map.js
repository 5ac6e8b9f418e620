// hzgeo's HTML map: layers, popups, legend, name search, disclaimer.
// Every text that comes from the data arrives here either as HTML that Python escaped
// (popups, tooltips, legend) or as plain text that is only ever set with textContent
// (search results, title, notes). Nothing from the data is inserted as raw HTML.
// Called as hzgeoDraw(map, data) by the page folium writes.
function hzgeoDraw(map, D) {
  "use strict";
  var t0 = performance.now();
  // ONE canvas for every vector layer of the page, ours and those added after us (the
  // field points): a canvas takes the mouse events over its whole area, so a second one
  // on top would swallow every click and hover meant for the reaches under it.
  var canvas = map.options.renderer || L.canvas({padding: 0.5, tolerance: 4});
  map.options.renderer = canvas;
  var byCode = {};          // reach_code -> Leaflet layer, of the levels shown so far
  var levelGroups = {};     // level key -> layer group (one visible at a time)
  var overlays = {};        // label -> layer

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function bind(feature, layer) {
    var p = feature.properties;
    if (p.p) layer.bindPopup(p.p, {maxWidth: 380});
    if (p.t) layer.bindTooltip(p.t, {sticky: true});
    if (p.r) byCode[p.r] = layer;
  }

  // A layer group whose features are built the first time it is shown: a reader who
  // never opens the village level does not pay for it.
  function lazy(build) {
    var group = L.layerGroup();
    var built = false;
    group.on("add", function () {
      if (!built) { built = true; build(group); }
    });
    return group;
  }

  // ------------------------------------------------------------------ boundaries
  var boundaryLayers = {};
  D.units.forEach(function (u) {
    boundaryLayers[u.level] = lazy(function (group) {
      group.addLayer(L.geoJSON(u.features, {
        renderer: canvas, interactive: false,
        style: function () {
          return {color: u.color, weight: u.weight, opacity: 0.9, fill: false,
                  dashArray: u.dash || null};
        }
      }));
    });
  });

  // ------------------------------------------------------------------ reach levels
  D.levels.forEach(function (lvl) {
    levelGroups[lvl.key] = lazy(function (group) {
      var units = D.units.filter(function (u) { return u.level === lvl.key; })[0];
      if (units) {
        group.addLayer(L.geoJSON(units.features, {
          renderer: canvas, interactive: false,
          style: function (f) {
            return {stroke: false, fillColor: lvl.fill[f.properties.c] || "#cccccc",
                    fillOpacity: lvl.fill[f.properties.c] ? 0.16 : 0.0};
          }
        }));
      }
      group.addLayer(L.geoJSON(lvl.zones, {
        renderer: canvas, onEachFeature: bind,
        style: function (f) {
          return {color: f.properties.c, weight: 1.5, fillColor: f.properties.c,
                  fillOpacity: 0.45};
        }
      }));
      // 界河: the first bank solid, the other bank dashed over it in its own colour,
      // so both banks' responsibility shows along the shared stretch.
      group.addLayer(L.geoJSON(lvl.reaches, {
        renderer: canvas, onEachFeature: bind,
        style: function (f) {
          var p = f.properties;
          return {color: p.c, weight: p.b ? 5 : 3.5, opacity: 0.95, lineCap: "butt",
                  dashArray: p.b === 2 ? "8 8" : null};
        }
      }));
    });
  });

  // ------------------------------------------------------------------ overlays
  D.units.forEach(function (u) { overlays[u.label] = boundaryLayers[u.level]; });
  if (D.lakes && D.lakes.features.length) {
    overlays["湖库（水面）"] = L.geoJSON(D.lakes, {
      renderer: canvas, interactive: false,
      style: function () {
        return {color: "#1f78b4", weight: 0.8, fillColor: "#a6cee3", fillOpacity: 0.7};
      }
    });
  }
  if (D.defects && D.defects.features.length) {
    overlays["审核问题"] = L.geoJSON(D.defects, {
      renderer: canvas, onEachFeature: bind,
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {renderer: canvas, radius: 7});
      },
      style: function () {
        return {color: "#e31a1c", weight: 3, fillColor: "#e31a1c", fillOpacity: 0.3,
                dashArray: "4 4"};
      }
    });
  }

  // ------------------------------------------------------------------ river names
  // Each name along its river, turned to the line (in Web Mercator the angle does not
  // change with the zoom), beside it; names that would overlap one shown before them
  // (main rivers first) are hidden until the zoom makes room. Set as plain text; the
  // labels let every click through to the reaches under them.
  var riverLabels = [];
  var labelGroup = L.layerGroup();
  map.createPane("hzLabels").style.zIndex = 450;
  map.getPane("hzLabels").style.pointerEvents = "none";
  (D.rivers || []).forEach(function (r) {
    var span = el("span", r[5] ? "main" : "", r[0]);
    var box = el("div");
    box.appendChild(span);
    var marker = L.marker([r[1], r[2]], {
      pane: "hzLabels", interactive: false, keyboard: false,
      icon: L.divIcon({className: "hz-river-label", html: box, iconSize: null})
    });
    marker.hzSpan = span;
    marker.hzName = r[0];
    marker.on("add", function () {
      var a = map.latLngToLayerPoint([r[1], r[2]]), b = map.latLngToLayerPoint([r[3], r[4]]);
      var angle = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
      if (angle > 90) angle -= 180;
      if (angle <= -90) angle += 180;
      span.style.transform = "rotate(" + angle.toFixed(1) + "deg) translate(-50%, -125%)";
    });
    riverLabels.push(marker);
    labelGroup.addLayer(marker);
  });
  function declutter() {
    // the controls (title, search, layers, legend, notes, zoom, scale) are taken too:
    // a name under one is hidden, and shown again when a drag or zoom frees it
    var shown = [].slice.call(map.getContainer().querySelectorAll(".leaflet-control"))
      .map(function (c) { return c.getBoundingClientRect(); })
      .filter(function (r) { return r.width > 0 && r.height > 0; });
    riverLabels.forEach(function (m) {
      if (!map.hasLayer(m)) return;
      m.hzSpan.style.visibility = "visible";
      var r = m.hzSpan.getBoundingClientRect();
      var hit = shown.some(function (s) {
        return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
      });
      if (hit) m.hzSpan.style.visibility = "hidden"; else shown.push(r);
    });
  }
  // (again once the names have settled: a zoom's CSS transition can still be moving
  // them when zoomend fires)
  map.on("zoomend moveend resize", function () { declutter(); setTimeout(declutter, 350); });
  labelGroup.on("add", function () { setTimeout(declutter, 0); });
  if (riverLabels.length) overlays["河流名称"] = labelGroup;

  // ------------------------------------------------------------------ neighbours
  // The units around the area (the cities around the city; on a county map the city's
  // other counties too) in grey, under everything, named like the rivers: offline
  // divIcons in a pane that lets every click through. Nothing of it takes the mouse.
  var aroundLabel = D.neighbours_label || "相邻单位";
  if (D.neighbours && D.neighbours.features.length) {
    map.createPane("hzAround").style.zIndex = 350;          // under the overlay pane (400)
    map.getPane("hzAround").style.pointerEvents = "none";
    var around = L.layerGroup([L.geoJSON(D.neighbours, {
      pane: "hzAround", interactive: false,
      renderer: L.svg({pane: "hzAround"}),
      style: function () {
        return {color: "#8a8a8a", weight: 1, fillColor: "#d9d9d9", fillOpacity: 0.55,
                interactive: false};
      }
    })]);
    D.neighbours.features.forEach(function (f) {
      around.addLayer(L.marker(f.properties.at, {
        pane: "hzLabels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "hz-around-label", html: el("span", "", f.properties.n),
                         iconSize: null})
      }));
    });
    overlays[aroundLabel] = around;
  }

  // Lakes under everything, boundaries over the fills, reaches on top.
  if (overlays[aroundLabel]) overlays[aroundLabel].addTo(map);
  var lakes = overlays["湖库（水面）"];
  if (lakes) lakes.addTo(map);
  D.units.forEach(function (u) { if (u.on) boundaryLayers[u.level].addTo(map); });
  var current = D.levels.filter(function (l) { return l.key === D.level; })[0] || D.levels[0];
  levelGroups[current.key].addTo(map);
  if (overlays["审核问题"]) overlays["审核问题"].addTo(map);
  if (overlays["河流名称"]) overlays["河流名称"].addTo(map);

  var base = {};
  D.levels.forEach(function (lvl) { base[lvl.label] = levelGroups[lvl.key]; });
  // The page's one layer control: layers added after us (the field points) join it
  // through hzgeo.control.addOverlay.
  // On a phone (a map narrower than NARROW px) the layer list and the legend fold into
  // their buttons (图层, 图例), opened by a tap, and the title and notes are smaller:
  // open, they would cover most of the map.
  var NARROW = 640;
  var narrow = map.getSize().x < NARROW;
  if (narrow) L.DomUtil.addClass(map.getContainer(), "hz-narrow");
  var control = L.control.layers(base, overlays, {collapsed: narrow, position: "topright"})
    .addTo(map);
  L.control.scale({imperial: false, metric: true, position: "bottomleft",
                   maxWidth: 160}).addTo(map);

  // Leaflet's own controls speak English ("Zoom in", "Zoom out", "Layers", "Close popup",
  // the "Leaflet" link's title): the page's readers get them in Chinese.
  function say(node, words) {
    if (!node) return;
    node.title = words;
    node.setAttribute("aria-label", words);
  }
  if (map.zoomControl) {
    say(map.zoomControl._zoomInButton, "放大");
    say(map.zoomControl._zoomOutButton, "缩小");
  }
  if (control._layersLink) say(control._layersLink, "图层");
  if (map.attributionControl) {
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="Leaflet：交互式地图的 JavaScript 库">Leaflet</a>');
  }
  map.on("popupopen", function (e) {
    var close = e.popup && e.popup._closeButton;
    if (close) close.setAttribute("aria-label", "关闭");
    if (close) close.title = "关闭";
  });

  // ------------------------------------------------------------------ title, notes
  var Title = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var box = el("div", "hz-title");
      box.appendChild(el("div", "hz-title-main", D.title));
      return box;
    }
  });
  new Title().addTo(map);

  var Notes = L.Control.extend({
    options: {position: "bottomleft"},
    onAdd: function () {
      var box = el("div", "hz-notes");
      box.appendChild(el("div", "hz-disclaimer", D.disclaimer));
      if (D.synthetic) box.appendChild(el("div", "hz-synthetic", D.synthetic));
      if (D.neighbours_note) box.appendChild(el("div", "hz-around-note", D.neighbours_note));
      if (D.tiles_note) box.appendChild(el("div", "hz-tiles", D.tiles_note));
      if (D.stamp) box.appendChild(el("div", "hz-stamp", D.stamp));
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  new Notes().addTo(map);

  // ------------------------------------------------------------------ legend
  var legendBox, legendBody;
  var Legend = L.Control.extend({
    options: {position: "bottomright"},
    onAdd: function () {
      legendBox = el("div", "hz-legend");
      var toggle = el("button", "hz-legend-toggle", "图例");  // shown on a phone only
      toggle.type = "button";
      toggle.title = "显示或收起图例";
      toggle.setAttribute("aria-label", "显示或收起图例");
      L.DomEvent.on(toggle, "click", function () {
        if (L.DomUtil.hasClass(legendBox, "hz-open")) L.DomUtil.removeClass(legendBox, "hz-open");
        else L.DomUtil.addClass(legendBox, "hz-open");
      });
      legendBox.appendChild(toggle);
      legendBody = legendBox.appendChild(el("div", "hz-legend-body"));
      L.DomEvent.disableClickPropagation(legendBox);
      L.DomEvent.disableScrollPropagation(legendBox);
      return legendBox;
    }
  });
  new Legend().addTo(map);
  function showLegend(lvl) { legendBody.innerHTML = lvl.legend; }  // escaped in Python
  showLegend(current);
  map.on("baselayerchange", function (e) {
    D.levels.forEach(function (lvl) {
      if (levelGroups[lvl.key] === e.layer) { current = lvl; showLegend(lvl); }
    });
  });

  // ------------------------------------------------------------------ search
  var highlight = null;
  function go(entry) {
    var b = entry[2];
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {maxZoom: 14, padding: [30, 30]});
    if (highlight) map.removeLayer(highlight);
    highlight = L.rectangle([[b[0], b[1]], [b[2], b[3]]],
                            {color: "#000", weight: 2, fill: false, dashArray: "3 5",
                             interactive: false}).addTo(map);
  }
  function search(query) {
    var q = (query || "").trim().toLowerCase();
    if (!q) return [];
    return D.search.filter(function (s) {
      return s[0].toLowerCase().indexOf(q) >= 0;
    }).slice(0, 15);
  }
  var Search = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var box = el("div", "hz-search");
      var input = el("input");
      input.type = "search";
      input.placeholder = "搜索河流、乡镇、村";
      input.setAttribute("aria-label", "搜索河流、乡镇、村");
      var list = el("ul");
      box.appendChild(input);
      box.appendChild(list);
      input.addEventListener("input", function () {
        list.replaceChildren();
        search(input.value).forEach(function (s) {
          var item = el("li");
          item.appendChild(el("span", "hz-name", s[0]));
          item.appendChild(el("span", "hz-kind", " " + s[1]));
          item.addEventListener("click", function () { go(s); });
          list.appendChild(item);
        });
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  new Search().addTo(map);

  // ------------------------------------------------------------------ opening view
  // The unit (the county, or the city) fitted into the largest part of the window that
  // the controls (title, search, layers, legend, notes, zoom, scale) leave free, so none
  // of it opens hidden under them (on a 1366 x 768 laptop the notes and the legend take
  // the bottom corners). Measured again once the page has loaded (the field layers join
  // the layer control after us, the fonts may still be coming): the view is fitted again
  // then, unless the reader has moved it already.
  var unitBounds = L.latLngBounds([D.bounds[0], D.bounds[1]], [D.bounds[2], D.bounds[3]]);
  var FIT_MARGIN = 8;  // px between the unit and a control or the window's edge
  var FIT_SNAP = 0.25;
  function freeBox() {
    // the largest rectangle of the map that no control overlaps, for the unit's shape:
    // each side of a largest such rectangle lies on the window's edge or a control's
    var size = map.getSize(), box = map.getContainer().getBoundingClientRect();
    var taken = [].slice.call(map.getContainer().querySelectorAll(".leaflet-control"))
      .map(function (c) { return c.getBoundingClientRect(); })
      .filter(function (r) { return r.width > 0 && r.height > 0; })
      .map(function (r) {
        return [r.left - box.left, r.top - box.top, r.right - box.left, r.bottom - box.top];
      });
    var z = map.getZoom();
    var a = map.project(unitBounds.getNorthWest(), z), b = map.project(unitBounds.getSouthEast(), z);
    var bw = Math.max(b.x - a.x, 1), bh = Math.max(b.y - a.y, 1);
    var xs0 = [0], xs1 = [size.x], ys0 = [0], ys1 = [size.y];
    taken.forEach(function (r) { xs0.push(r[2]); xs1.push(r[0]); ys0.push(r[3]); ys1.push(r[1]); });
    var best = null, bestScale = 0;
    xs0.forEach(function (x0) { xs1.forEach(function (x1) {
      if (x1 - x0 <= 2 * FIT_MARGIN) return;
      ys0.forEach(function (y0) { ys1.forEach(function (y1) {
        if (y1 - y0 <= 2 * FIT_MARGIN) return;
        var scale = Math.min((x1 - x0 - 2 * FIT_MARGIN) / bw, (y1 - y0 - 2 * FIT_MARGIN) / bh);
        if (scale <= bestScale) return;
        var free = taken.every(function (r) {
          return !(r[0] < x1 && x0 < r[2] && r[1] < y1 && y0 < r[3]);
        });
        if (free) { best = [x0, y0, x1, y1]; bestScale = scale; }
      }); });
    }); });
    return best;
  }
  var fittedAt = null;
  function fitUnit() {
    var free = freeBox(), size = map.getSize();
    var options = {animate: false};
    if (free) {
      options.paddingTopLeft = [free[0] + FIT_MARGIN, free[1] + FIT_MARGIN];
      options.paddingBottomRight = [size.x - free[2] + FIT_MARGIN, size.y - free[3] + FIT_MARGIN];
    }
    // to a quarter zoom step (the unit as large as the free part allows, not up to half
    // as large); zooming in or out afterwards snaps back to the map's own steps
    var snap = map.options.zoomSnap;
    if (snap > FIT_SNAP) map.options.zoomSnap = FIT_SNAP;
    try { map.fitBounds(unitBounds, options); } finally { map.options.zoomSnap = snap; }
    fittedAt = [map.getCenter(), map.getZoom()];
  }
  function refit() {
    if (fittedAt && map.getZoom() === fittedAt[1] && map.getCenter().equals(fittedAt[0]))
      fitUnit();
  }
  fitUnit();
  if (document.readyState === "complete") setTimeout(refit, 0);
  else window.addEventListener("load", refit);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(refit);
  declutter();
  window.hzgeo = {
    riverLabels: function () {
      return riverLabels.filter(function (m) {
        return map.hasLayer(m) && m.hzSpan.style.visibility !== "hidden";
      }).map(function (m) {
        var r = m.hzSpan.getBoundingClientRect();
        return {name: m.hzName, box: [r.left, r.top, r.right, r.bottom]};
      });
    },
    map: map, levels: levelGroups, overlays: overlays, reaches: byCode, search: search,
    control: control, fit: fitUnit, unitBounds: unitBounds,
    current: function () { return current.key; }, drawMs: performance.now() - t0
  };
}
