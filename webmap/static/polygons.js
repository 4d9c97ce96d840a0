/* webmap polygons: the binary format written by webmap/mapview/polygon_codec.py (decoded by
   polygon-decoder.js), drawn on one canvas per map (no Leaflet object per polygon),
   hit-tested for tooltips. */
(function () {
  "use strict";
  var W = (window.WebMap = window.WebMap || {});

  W.getPolygons = function (address) {
    return fetch(address, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(address + " : " + r.status);
      return r.arrayBuffer();
    }).then(W.decodePolygons);
  };

  /* Web Mercator (the map's EPSG:3857) at zoom 0: the world is 256 px wide. */
  var D2R = Math.PI / 180, MAX_LAT = 85.0511287798;
  function projectX(lon) { return 256 * (0.5 + lon / 360); }
  function projectY(lat) {
    var s = Math.sin(Math.max(Math.min(lat, MAX_LAT), -MAX_LAT) * D2R);
    return 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
  }

  /* Even-odd ray cast over a feature's rings (projected coordinates of its part). */
  function inside(part, feature, x, y) {
    var xy = part.xy, starts = part.ringStart, result = false;
    for (var r = feature.firstRing; r < feature.endRing; r++) {
      var start = 2 * starts[r], end = 2 * starts[r + 1];
      for (var i = start, j = end - 2; i < end; j = i, i += 2) {
        var yi = xy[i + 1], yj = xy[j + 1];
        if ((yi > y) !== (yj > y) && x < (xy[j] - xy[i]) * (y - yi) / (yj - yi) + xy[i]) result = !result;
      }
    }
    return result;
  }

  /* Whether a point is within `tolerance` of a feature's outline. */
  function nearOutline(part, feature, x, y, tolerance) {
    var xy = part.xy, starts = part.ringStart, limit = tolerance * tolerance;
    for (var r = feature.firstRing; r < feature.endRing; r++) {
      var start = 2 * starts[r], end = 2 * starts[r + 1];
      for (var i = start, j = end - 2; i < end; j = i, i += 2) {
        var dx = xy[i] - xy[j], dy = xy[i + 1] - xy[j + 1], length = dx * dx + dy * dy;
        var t = length ? ((x - xy[j]) * dx + (y - xy[j + 1]) * dy) / length : 0;
        t = Math.max(0, Math.min(1, t));
        var ex = xy[j] + t * dx - x, ey = xy[j + 1] + t * dy - y;
        if (ex * ex + ey * ey <= limit) return true;
      }
    }
    return false;
  }

  /* A feature's rings as SVG path data, in whole units of 1e-6 zoom-0 pixel (the 0.0005°
     grid is 3.6e-4 px) relative to the part's corner (float32 inside Path2D stays precise
     when zoomed in): "M x y l dx dy dx dy … z". A path is made from this text, not point by
     point: Chromium's Path2D.lineTo slows down as the path grows (30,000 points: 127 ms one
     call at a time, 11 ms parsed from text; 51 ms of the national map's first view). Whole
     numbers, relative: shorter text, and faster to write than decimals. */
  var UNIT = 1e6;
  function pushPathData(out, part, feature) {
    var xy = part.xy, starts = part.ringStart, bx = part.base[0], by = part.base[1];
    for (var r = feature.firstRing; r < feature.endRing; r++) {
      var start = 2 * starts[r], end = 2 * starts[r + 1];
      if (end - start < 4) continue;  // not a ring
      var x = Math.round((xy[start] - bx) * UNIT), y = Math.round((xy[start + 1] - by) * UNIT);
      var text = "M" + x + " " + y + "l";
      for (var k = start + 2; k < end; k += 2) {
        var nx = Math.round((xy[k] - bx) * UNIT), ny = Math.round((xy[k + 1] - by) * UNIT);
        text += (nx - x) + " " + (ny - y) + " ";
        x = nx;
        y = ny;
      }
      out.push(text + "z");
    }
    return out;
  }

  function featuresPath(part, features) {
    var data = [];
    features.forEach(function (feature) { pushPathData(data, part, feature); });
    return new Path2D(data.join(""));
  }

  function byOrder(a, b) { return (a._opts.order || 0) - (b._opts.order || 0) || L.stamp(a) - L.stamp(b); }

  /* What belongs to one map: one canvas for all its polygon layers (one layer for the
     browser to composite, whatever is shown), these layers in drawing order (later ones
     above, answering the pointer first), the hovered feature and the tooltip. Public
     Leaflet API only. Placed as Leaflet places its renderers: the view and PADDING around
     it, redrawn after each move; a zoom only moves and scales the drawing until then. */
  var PANE = "wm-polygons";  // under the markers (z-index 350)
  var PADDING = 0.1;
  var SETTLE_MS = 150;
  var MapPolygons = L.Layer.extend({
    initialize: function () {
      this._polygons = [];
      this._settled = [];  // callbacks of layers loaded, waiting for the others' data
      this._hovered = null;  // {layer, feature}
      this._tip = L.tooltip({ sticky: true, direction: "auto", offset: [14, 0] });
      // leaflet-zoom-animated: scaled from its corner, with Leaflet's zoom transition.
      this._canvas = L.DomUtil.create("canvas", "wm-polygons leaflet-zoom-animated");
      this._ctx = this._canvas.getContext("2d");
      this._origin = null;  // the canvas corner, in world pixels at this._zoom
      this._animating = false;  // between a zoomanim and its moveend
    },

    onAdd: function (map) {
      if (!map.getPane(PANE)) map.createPane(PANE).style.zIndex = "350";
    },

    getEvents: function () {
      return { zoomanim: this._onZoomAnim, zoom: this._onZoom, viewreset: this._onZoom,
               moveend: this._onMoveEnd, resize: this.redraw,
               mousemove: this._onPointer, click: this._onPointer, mouseout: this._onLeave };
    },

    addPolygons: function (layer) {
      this._polygons.push(layer);
      this._polygons.sort(byOrder);
      this._map.getPane(PANE).appendChild(this._canvas);
      this.redraw();
    },

    removePolygons: function (layer) {
      this._polygons.splice(this._polygons.indexOf(layer), 1);
      if (this._hovered && this._hovered.layer === layer) this._onLeave();
      if (this._polygons.length) this.redraw();
      else this.onRemove();
      this.drawWhenSettled();  // others may have been waiting for this one
    },

    /* A layer's data has arrived: drawn once no other layer of the map is still loading (one
       drawing of the first view, not one per layer), then `done` (the layer says it is
       loaded). A layer slower than SETTLE_MS does not hold the others' drawing back. */
    drawWhenSettled: function (done) {
      var self = this;
      if (done) this._settled.push(done);
      if (!this._settled.length) return;
      if (this._polygons.some(function (layer) { return layer._busy; })) {
        clearTimeout(this._settleTimer);
        this._settleTimer = setTimeout(function () { self.drawNow(); }, SETTLE_MS);
        return;
      }
      clearTimeout(this._settleTimer);
      this.drawNow();
      var settled = this._settled;
      this._settled = [];
      settled.forEach(function (callback) { callback(); });
    },

    /* No canvas left to composite, and no pending redraw to block the next one. */
    onRemove: function () {
      L.Util.cancelAnimFrame(this._request);
      this._request = null;
      L.DomUtil.remove(this._canvas);
    },

    redraw: function () {
      if (!this._map || !this._polygons.length) return;
      this._request = this._request || L.Util.requestAnimFrame(this.drawNow, this);
    },

    drawNow: function () {
      L.Util.cancelAnimFrame(this._request);
      this._request = null;
      if (!this._map || !this._polygons.length) return;
      // Mid-animation the map already has its new view: keep drawing where it started.
      if (!this._animating || !this._origin) this._frame();
      var ctx = this._ctx, origin = this._origin, hovered = this._hovered;
      var scale = this._map.getZoomScale(this._zoom, 0);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this._canvas.width, this._canvas.height);
      ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
      this._polygons.forEach(function (layer) {
        layer._drawOn(ctx, scale, origin, hovered && hovered.layer === layer ? hovered.feature : null);
      });
    },

    /* Twice the pixels on HiDPI screens, as Leaflet's canvas. Resizing clears the canvas
       and its context: only when the size changes. */
    _frame: function () {
      var map = this._map, canvas = this._canvas, size = map.getSize();
      var corner = map.containerPointToLayerPoint(size.multiplyBy(-PADDING)).round();
      var extent = size.multiplyBy(1 + 2 * PADDING).round();
      this._zoom = map.getZoom();
      this._origin = map.getPixelOrigin().add(corner);
      this._ratio = L.Browser.retina ? 2 : 1;
      L.DomUtil.setPosition(canvas, corner);
      if (canvas.width !== this._ratio * extent.x || canvas.height !== this._ratio * extent.y) {
        canvas.width = this._ratio * extent.x;
        canvas.height = this._ratio * extent.y;
        canvas.style.width = extent.x + "px";
        canvas.style.height = extent.y + "px";
      }
    },

    _place: function (zoom, pixelOrigin) {
      if (!this._origin) return;
      var scale = this._map.getZoomScale(zoom, this._zoom);
      L.DomUtil.setTransform(this._canvas, this._origin.multiplyBy(scale).subtract(pixelOrigin), scale);
    },

    _onZoom: function () {
      this._place(this._map.getZoom(), this._map.getPixelOrigin());
    },

    /* To the pixel origin the map will have once animated, computed as for markers: the
       target center in the middle of the view, the map pane where it is now. */
    _onZoomAnim: function (event) {
      var map = this._map, toPane = map.containerPointToLayerPoint([0, 0]);
      var center = map.project(event.center, event.zoom);
      this._animating = true;
      this._place(event.zoom, center.subtract(map.getSize().divideBy(2)).subtract(toPane).round());
    },

    _onMoveEnd: function () {
      this._animating = false;
      this.redraw();
    },

    /* Markers, popups and controls above the canvas keep the pointer for themselves. */
    _onPointer: function (event) {
      var over = event.originalEvent && event.originalEvent.target, hit = null;
      var onTop = over && over.closest && over.closest(".leaflet-marker-pane, .leaflet-popup-pane, .leaflet-control");
      for (var i = this._polygons.length - 1; i >= 0 && !hit && !onTop; i--) {
        if (this._polygons[i]._opts.interactive !== false) hit = this._polygons[i].featureAt(event.latlng);
      }
      if (!hit) return this._onLeave();
      this._hover(hit);
      this._tip.setLatLng(event.latlng).setContent(hit.layer.describe(hit.feature));
      if (!this._tip.isOpen()) this._tip.openOn(this._map);
    },

    /* The open tooltip, written again (names that arrived after it opened). */
    refreshTip: function () {
      var hit = this._hovered;
      if (hit && this._tip.isOpen()) this._tip.setContent(hit.layer.describe(hit.feature));
    },

    _onLeave: function () {
      this._hover(null);
      this._tip.close();
    },

    _hover: function (hit) {
      if ((this._hovered && this._hovered.feature) !== (hit && hit.feature)) this.redraw();
      this._hovered = hit;
    },
  });

  /* Created with the map's first polygon layer, then kept on the map. */
  function mapPolygonsOf(map) {
    var found = null;
    map.eachLayer(function (layer) { if (layer instanceof MapPolygons) found = layer; });
    return found || new MapPolygons().addTo(map);
  }

  /* A layer of polygons, from one file (`url`) or from parts fetched only when in view
     (`parts`: [{url, bbox, offset}], from `minZoom` on). Levels of detail: below
     `detailZoom`, a part's `overviewUrl` (or the layer's, for one file) if it has one, the
     same features simplified. Choropleth: `values` holds one
     value per feature of the level, in file order (parts one after the other); with
     `detailsUrl` only the features listed there are drawn; otherwise every feature
     (`onlyThemes`: those of these themes; `onlyCodes`: those of these codes), filled with `style.fillColor` unless
     `style.fill` is false (outlines, hovered on their stroke), stroked with `style.color`
     or the feature's `colorProperty`. */
  W.PolygonLayer = L.Layer.extend({
    initialize: function (url, opts) {
      this._url = url;
      this._opts = opts;
      this._parts = [];
      this._loaded = {};
      this._names = {};  // part offset -> names, from the parts' `namesUrl`
      this._busy = 0;
      this._details = null;
      this._drawn = 0;
      L.Util.stamp(this);  // creation order, between layers of the same `order`
    },

    getEvents: function () {
      return { moveend: this._loadVisible };
    },

    onAdd: function (map) {
      this._shared = mapPolygonsOf(map);
      this._shared.addPolygons(this);
      this._loadVisible();  // the page sets its view before adding layers
    },

    onRemove: function () {
      this._shared.removePolygons(this);
      this._shared = null;
      this._mark("off");  // not drawn: nothing to wait for
    },

    /* New options (a view's values and classes, the themes shown): the loaded parts are
       regrouped by colour at once, without fetching them again. */
    restyle: function (changes) {
      L.Util.extend(this._opts, changes);
      this._parts.forEach(this._group, this);
      this._count();
      document.documentElement.setAttribute("data-" + this._opts.key + "-features", String(this._drawn));
      if (this._shared) this._shared.redraw();
    },

    /* Drawn now rather than at the next frame (before a view says it is ready). */
    drawNow: function () {
      if (this._shared) this._shared.drawNow();
    },

    _mark: function (state) {
      var root = document.documentElement;
      root.setAttribute("data-" + this._opts.key, state);
      root.setAttribute("data-" + this._opts.key + "-features", String(this._drawn));
    },

    _withDetails: function () {
      var self = this;
      if (!this._opts.detailsUrl) return Promise.resolve(null);
      this._detailsReady = this._detailsReady ||
        fetch(this._opts.detailsUrl, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (details) { self._details = details; return details; });
      return this._detailsReady;
    },

    _loadVisible: function () {
      var map = this._map, opts = this._opts, self = this;
      if (!map) return;
      var parts = opts.parts || [{ url: this._url, overviewUrl: opts.overviewUrl, offset: 0 }];
      if (opts.parts && map.getZoom() < (opts.minZoom || 0)) { this._mark("zoom"); return; }
      // Levels of detail: below `detailZoom`, a part's `overviewUrl` (simplified) if it has
      // one; from it on, its `url`, which replaces the overview once loaded.
      var detailed = !opts.detailZoom || map.getZoom() >= opts.detailZoom;
      var bounds = map.getBounds(), pending = [];
      parts.forEach(function (part) {
        if (part.bbox && !bounds.intersects(L.latLngBounds(part.bbox))) return;
        var address = detailed || !part.overviewUrl ? part.url : part.overviewUrl;
        if (self._loaded[address] || self._loaded[part.url]) return;
        pending.push({ url: address, offset: part.offset, detailed: address === part.url });
      });
      if (!pending.length) return;
      this._mark("loading");
      this._busy += 1;  // loads in flight (the map draws once none is left, drawWhenSettled)
      pending.forEach(function (part) { self._loaded[part.url] = true; });
      Promise.all(pending.map(function (part) {
        return Promise.all([W.getPolygons(part.url), self._withDetails()]).then(function (got) {
          self._addPart(got[0], part.offset, part.detailed);
        });
      })).then(function () {
        self._busy -= 1;
        if (!self._map) return;  // removed meanwhile (another view, or hidden): said by onRemove
        // Drawn before the layer says it is loaded (tests and benchmarks wait for that).
        self._shared.drawWhenSettled(function () { if (self._map && !self._busy) self._mark("loaded"); });
      }, function () {
        self._busy -= 1;
        // Said in the map, in French; the parts are tried again at the next move.
        pending.forEach(function (part) { self._loaded[part.url] = false; });
        self._mark("error");
        if (self._shared) self._shared.drawWhenSettled();  // the others need not wait for it
        if (self._map) W.notice(self._map, "Impossible de charger la couche « " + (opts.label || opts.key) +
          " » : vérifiez la connexion puis déplacez la carte pour réessayer.");
      });
    },

    /* The names of the features of parts that send them apart (`namesUrl`), fetched once:
       a failure leaves the tooltips with the codes, and is tried again at the next call. */
    fetchNames: function () {
      var self = this;
      (this._opts.parts || []).forEach(function (part) {
        if (!part.namesUrl || self._names[part.offset]) return;
        self._names[part.offset] = fetch(part.namesUrl, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (got) {
            self._names[part.offset] = got.nom;
            if (self._shared) self._shared.refreshTip();
          }, function () { delete self._names[part.offset]; });
      });
    },

    /* The feature's fill ("" for none) or null when it is not drawn. */
    _fillOf: function (index, properties, i) {
      var opts = this._opts, style = opts.style;
      if (this._details) return properties.code[i] in this._details ? style.fillColor : null;
      if (opts.onlyThemes && opts.onlyThemes.indexOf(properties.theme[i]) < 0) return null;
      if (opts.onlyCodes && opts.onlyCodes.indexOf(properties.code[i]) < 0) return null;
      if (opts.values) return W.colorFor(opts.values[index], opts);
      return style.fill === false ? "" : style.fillColor;
    },

    /* Coordinates in zoom-0 pixels (for hit tests), kept to be regrouped by restyle. */
    _addPart: function (decoded, offset, detailed) {
      var same = this._parts.filter(function (p) { return p.offset === offset; });
      if (same.some(function (p) { return p.detailed; })) return;  // an overview arriving late
      this._parts = this._parts.filter(function (p) { return p.offset !== offset; });
      var c = decoded.coords, xy = new Float64Array(c.length);
      for (var k = 0; k < c.length; k += 2) {
        xy[k] = projectX(c[k]);
        xy[k + 1] = projectY(c[k + 1]);
      }
      var part = { base: [xy[0], xy[1]], xy: xy, ringStart: decoded.ringStart, featureRing: decoded.featureRing,
                   count: decoded.count, offset: offset, detailed: detailed !== false,
                   properties: decoded.properties, boxes: [],
                   features: [], groups: [] };
      for (var i = 0; i < decoded.count; i++) {
        var box = [Infinity, Infinity, -Infinity, -Infinity];
        var end = 2 * decoded.ringStart[decoded.featureRing[i + 1]];
        for (k = 2 * decoded.ringStart[decoded.featureRing[i]]; k < end; k += 2) {
          if (xy[k] < box[0]) box[0] = xy[k];
          if (xy[k + 1] < box[1]) box[1] = xy[k + 1];
          if (xy[k] > box[2]) box[2] = xy[k];
          if (xy[k + 1] > box[3]) box[3] = xy[k + 1];
        }
        part.boxes.push(box);
      }
      this._parts.push(part);
      this._group(part);
      this._count();
    },

    _count: function () {
      this._drawn = this._parts.reduce(function (n, part) { return n + part.features.length; }, 0);
    },

    /* The features drawn and one Path2D per fill and stroke colour. Rings are oriented
       (exteriors one way, holes the other, see polygon_codec), so the non-zero rule fills
       them right, and faster than even-odd. */
    _group: function (part) {
      var groups = {}, properties = part.properties, colors = properties[this._opts.colorProperty];
      part.features = [];
      part.groups = [];
      for (var i = 0; i < part.count; i++) {
        var firstRing = part.featureRing[i], endRing = part.featureRing[i + 1];
        var fill = firstRing === endRing ? null : this._fillOf(part.offset + i, properties, i);
        if (fill === null) continue;
        var stroke = colors ? colors[i] : this._opts.style.color;
        var feature = { index: part.offset + i, i: i, firstRing: firstRing, endRing: endRing,
                        box: part.boxes[i], part: part, path: null };
        part.features.push(feature);
        var key = fill + " " + stroke;
        if (!groups[key]) groups[key] = { fill: fill, stroke: stroke, features: [] };
        groups[key].features.push(feature);
      }
      Object.keys(groups).forEach(function (key) {
        var group = groups[key];
        part.groups.push({ fill: group.fill, stroke: group.stroke, path: featuresPath(part, group.features) });
      });
    },

    /* Drawn at `scale` (from zoom 0) with `origin` at the canvas corner; `mark`: the hovered
       feature, outlined. */
    _drawOn: function (ctx, scale, origin, mark) {
      var style = this._opts.style, unitScale = scale / UNIT;
      var dashes = (style.dashArray || "").split(" ").filter(Boolean).map(function (d) { return d / unitScale; });
      this._parts.forEach(function (part) {
        if (!part.groups.length) return;
        ctx.save();
        ctx.translate(part.base[0] * scale - origin.x, part.base[1] * scale - origin.y);
        ctx.scale(unitScale, unitScale);
        ctx.lineJoin = "round";
        ctx.lineWidth = style.weight / unitScale;
        ctx.setLineDash(dashes);
        part.groups.forEach(function (group) {
          if (group.fill) {
            ctx.globalAlpha = style.fillOpacity;
            ctx.fillStyle = group.fill;
            ctx.fill(group.path);
            ctx.globalAlpha = 1;
          }
          ctx.strokeStyle = group.stroke;
          ctx.stroke(group.path);
        });
        ctx.setLineDash([]);
        if (mark && mark.part === part) {
          if (!mark.path) mark.path = featuresPath(part, [mark]);
          ctx.strokeStyle = "#161616";
          ctx.lineWidth = 2.5 / unitScale;
          ctx.stroke(mark.path);
        }
        ctx.restore();
      });
    },

    featureAt: function (latlng) {
      var x = projectX(latlng.lng), y = projectY(latlng.lat);
      var outline = this._opts.style.fill === false && !this._opts.values;
      var margin = outline ? 5 / this._map.getZoomScale(this._map.getZoom(), 0) : 0;  // 5 px
      for (var p = 0; p < this._parts.length; p++) {
        var features = this._parts[p].features;
        for (var i = 0; i < features.length; i++) {
          var b = features[i].box, f = features[i];
          if (x < b[0] - margin || x > b[2] + margin || y < b[1] - margin || y > b[3] + margin) continue;
          if (outline ? nearOutline(this._parts[p], f, x, y, margin) : inside(this._parts[p], f, x, y)) {
            return { layer: this, feature: f };
          }
        }
      }
      return null;
    },

    describe: function (feature) {
      var opts = this._opts, props = feature.part.properties, i = feature.i;
      var names = props.nom || props.titre || this._names[feature.part.offset];
      if (!Array.isArray(names)) this.fetchNames();  // for tooltips only: asked at the first one
      var text = "<strong>" + W.escape(Array.isArray(names) ? names[i] : props.code[i]) + "</strong>";
      if (opts.values) {
        var value = opts.values[feature.index];
        text += "<br>" + (value === null || value === undefined
          ? W.escape(opts.noDataText)
          : W.formatNumber(value, opts.decimals) + " " + W.escape(opts.unit));
      }
      var d = this._details && this._details[props.code[i]];
      if (d) {
        text += "<br>" + W.formatNumber(d[0], 0) + " habitants sans projet local" +
          "<br>Projet local le plus proche : " +
          (d[1] === null ? "aucun" : W.formatNumber(d[1], 1) + " km") +
          "<br>Couverte seulement par " + d[2] + " projet(s) départemental(aux) et " +
          d[3] + " régional(aux)";
      }
      if (props.detail) text += "<br>" + W.escape(props.detail[i]);
      return text;
    },
  });

  /* Layers by key, for the page's script (webmap.js: the themes a zone follows). */
  W.layers = {};
  W.polygonLayer = function (url, opts) {
    return (W.layers[opts.key] = new W.PolygonLayer(url, opts));
  };
})();
