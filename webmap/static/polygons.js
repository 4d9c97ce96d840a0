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

  /* Rings of features as one path, relative to the part's corner (float32 inside Path2D
     stays precise when zoomed in). */
  function tracePath(path, part, feature) {
    var xy = part.xy, starts = part.ringStart, bx = part.base[0], by = part.base[1];
    for (var r = feature.firstRing; r < feature.endRing; r++) {
      var start = 2 * starts[r], end = 2 * starts[r + 1];
      path.moveTo(xy[start] - bx, xy[start + 1] - by);
      for (var k = start + 2; k < end; k += 2) path.lineTo(xy[k] - bx, xy[k + 1] - by);
      path.closePath();
    }
  }

  /* Polygon layers on maps, in drawing order (`order` option, then creation): later ones
     are drawn above and answer the pointer first. One tooltip. */
  var hovering = [];
  var created = 0;
  var hovered = null;
  var tooltip = null;

  function setHovered(hit) {
    var before = hovered;
    hovered = hit;
    if (before && (!hit || before.feature !== hit.feature)) before.layer._redraw();
    if (hit && (!before || before.feature !== hit.feature)) hit.layer._redraw();
  }

  function onPointer(event) {
    var map = event.target, hit = null;
    var over = event.originalEvent && event.originalEvent.target;
    var onTop = over && over.closest && over.closest(".leaflet-marker-pane, .leaflet-popup-pane, .leaflet-control");
    for (var i = hovering.length - 1; i >= 0 && !hit && !onTop; i--) {
      if (hovering[i]._map === map) hit = hovering[i].featureAt(event.latlng);
    }
    setHovered(hit);
    if (!hit) {
      if (tooltip && tooltip._map) tooltip.close();
      return;
    }
    tooltip = tooltip || L.tooltip({ sticky: true, direction: "auto", offset: [14, 0] });
    tooltip.setLatLng(event.latlng).setContent(hit.layer.describe(hit.feature));
    if (!tooltip._map) tooltip.openOn(map);
  }

  function onLeave() {
    setHovered(null);
    if (tooltip && tooltip._map) tooltip.close();
  }

  /* One canvas for every polygon layer of a map (as Leaflet draws its own vector layers):
     a single full-size layer for the browser to composite, whatever is shown. It draws the
     layers in order; pointer events are handled at the map (see onPointer). */
  var PANE = "wm-polygons";  // under the markers (z-index 350)
  var PolygonRenderer = L.Canvas.extend({
    _initContainer: function () {
      this._container = document.createElement("canvas");
      this._container.className = "wm-polygons";
      this._ctx = this._container.getContext("2d");
      this._polygonLayers = [];
    },

    _updatePaths: function () {
      if (!this._postponeUpdatePaths) this._redraw();
    },

    _draw: function () {
      var ctx = this._ctx, scale = this._map.getZoomScale(this._zoom, 0), origin = this._map.getPixelOrigin();
      this._polygonLayers.forEach(function (layer) { layer._drawOn(ctx, scale, origin); });
    },

    _requestRedraw: function () {
      if (this._map) this._redrawRequest = this._redrawRequest || L.Util.requestAnimFrame(this._redraw, this);
    },

    _destroyContainer: function () {
      L.Canvas.prototype._destroyContainer.call(this);
      this._redrawRequest = null;  // cancelled: a new one must be possible when re-added
    },
  });

  function rendererOf(map) {
    if (!map.getPane(PANE)) map.createPane(PANE).style.zIndex = "350";
    if (!map._wmPolygons) map._wmPolygons = new PolygonRenderer({ padding: 0.1, pane: PANE });
    if (!map.hasLayer(map._wmPolygons)) map.addLayer(map._wmPolygons);
    return map._wmPolygons;
  }

  function byOrder(a, b) { return (a._opts.order || 0) - (b._opts.order || 0) || a._created - b._created; }

  /* A layer of polygons, from one file (`url`) or from parts fetched only when in view
     (`parts`: [{url, bbox, offset}], from `minZoom` on). Choropleth: `values` holds one
     value per feature of the level, in file order (parts one after the other); with
     `detailsUrl` only the features listed there are drawn; otherwise every feature
     (`onlyThemes`: those of these themes), filled with `style.fillColor` unless
     `style.fill` is false (outlines, hovered on their stroke), stroked with `style.color`
     or the feature's `colorProperty`. */
  W.PolygonLayer = L.Layer.extend({
    initialize: function (url, opts) {
      this._url = url;
      this._opts = opts;
      this._parts = [];
      this._loaded = {};
      this._details = null;
      this._drawn = 0;
      this._created = created++;
    },

    onAdd: function (map) {
      this._renderer = rendererOf(map);
      this._renderer._polygonLayers.push(this);
      this._renderer._polygonLayers.sort(byOrder);
      if (this._opts.interactive !== false) {
        hovering.push(this);
        hovering.sort(byOrder);
      }
      if (!map._wmHover) {
        map._wmHover = true;
        map.on("mousemove click", onPointer);
        map.on("mouseout", onLeave);
      }
      map.on("moveend", this._loadVisible, this);
      this._loadVisible();  // the page sets its view before adding layers
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend", this._loadVisible, this);
      if (hovering.indexOf(this) >= 0) hovering.splice(hovering.indexOf(this), 1);
      if (hovered && hovered.layer === this) onLeave();
      var layers = this._renderer._polygonLayers;
      layers.splice(layers.indexOf(this), 1);
      if (layers.length) this._renderer._requestRedraw();
      else map.removeLayer(this._renderer);
      this._renderer = null;
    },

    _redraw: function () {
      if (this._renderer) this._renderer._requestRedraw();
    },

    /* Drawn before the layer says it is loaded (tests and benchmarks wait for that). */
    _drawNow: function () {
      var renderer = this._renderer;
      if (!renderer || !renderer._map) return;
      L.Util.cancelAnimFrame(renderer._redrawRequest);
      renderer._redraw();
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
      var parts = opts.parts || [{ url: this._url, offset: 0 }];
      if (opts.parts && map.getZoom() < (opts.minZoom || 0)) { this._mark("zoom"); return; }
      var bounds = map.getBounds();
      var pending = parts.filter(function (part) {
        return !self._loaded[part.url] && (!part.bbox || bounds.intersects(L.latLngBounds(part.bbox)));
      });
      if (!pending.length) return;
      this._mark("loading");
      pending.forEach(function (part) { self._loaded[part.url] = true; });
      Promise.all(pending.map(function (part) {
        return Promise.all([W.getPolygons(part.url), self._withDetails()]).then(function (got) {
          self._addPart(got[0], part.offset);
        });
      })).then(function () {
        self._drawNow();
        self._mark("loaded");
      }, function () {
        // Said in the map, in French; the parts are tried again at the next move.
        pending.forEach(function (part) { self._loaded[part.url] = false; });
        self._mark("error");
        if (self._map) W.notice(self._map, "Impossible de charger la couche « " + (opts.label || opts.key) +
          " » : vérifiez la connexion puis déplacez la carte pour réessayer.");
      });
    },

    /* The feature's fill ("" for none) or null when it is not drawn. */
    _fillOf: function (index, properties, i) {
      var opts = this._opts, style = opts.style;
      if (this._details) return properties.code[i] in this._details ? style.fillColor : null;
      if (opts.onlyThemes && opts.onlyThemes.indexOf(properties.theme[i]) < 0) return null;
      if (opts.values) return W.colorFor(opts.values[index], opts);
      return style.fill === false ? "" : style.fillColor;
    },

    /* Coordinates in zoom-0 pixels (for hit tests) and one Path2D per fill colour. Rings
       are oriented (exteriors one way, holes the other, see polygon_codec), so the
       non-zero rule fills them right, and faster than even-odd. */
    _addPart: function (decoded, offset) {
      var c = decoded.coords, xy = new Float64Array(c.length);
      for (var k = 0; k < c.length; k += 2) {
        xy[k] = projectX(c[k]);
        xy[k + 1] = projectY(c[k + 1]);
      }
      var part = { base: [xy[0], xy[1]], xy: xy, ringStart: decoded.ringStart, features: [], groups: [] };
      var groups = {}, properties = decoded.properties, colors = properties[this._opts.colorProperty];
      part.properties = properties;
      for (var i = 0; i < decoded.count; i++) {
        var firstRing = decoded.featureRing[i], endRing = decoded.featureRing[i + 1];
        var fill = firstRing === endRing ? null : this._fillOf(offset + i, properties, i);
        if (fill === null) continue;
        var stroke = colors ? colors[i] : this._opts.style.color;
        var box = [Infinity, Infinity, -Infinity, -Infinity];
        for (k = 2 * decoded.ringStart[firstRing]; k < 2 * decoded.ringStart[endRing]; k += 2) {
          if (xy[k] < box[0]) box[0] = xy[k];
          if (xy[k + 1] < box[1]) box[1] = xy[k + 1];
          if (xy[k] > box[2]) box[2] = xy[k];
          if (xy[k + 1] > box[3]) box[3] = xy[k + 1];
        }
        var feature = { index: offset + i, i: i, firstRing: firstRing, endRing: endRing,
                        box: box, part: part, path: null };
        part.features.push(feature);
        var key = fill + " " + stroke;
        if (!groups[key]) groups[key] = { fill: fill, stroke: stroke, features: [] };
        groups[key].features.push(feature);
      }
      if (!part.features.length) return;
      Object.keys(groups).forEach(function (key) {
        var group = groups[key], path = new Path2D();
        group.features.forEach(function (feature) { tracePath(path, part, feature); });
        part.groups.push({ fill: group.fill, stroke: group.stroke, path: path });
      });
      this._parts.push(part);
      this._drawn += part.features.length;
    },

    _drawOn: function (ctx, scale, origin) {
      var style = this._opts.style;
      var mark = hovered && hovered.layer === this ? hovered.feature : null;
      var dashes = (style.dashArray || "").split(" ").filter(Boolean).map(function (d) { return d / scale; });
      this._parts.forEach(function (part) {
        ctx.save();
        ctx.translate(part.base[0] * scale - origin.x, part.base[1] * scale - origin.y);
        ctx.scale(scale, scale);
        ctx.lineJoin = "round";
        ctx.lineWidth = style.weight / scale;
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
          if (!mark.path) tracePath(mark.path = new Path2D(), part, mark);
          ctx.strokeStyle = "#161616";
          ctx.lineWidth = 2.5 / scale;
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
      var text = "<strong>" + W.escape((props.nom || props.titre)[i]) + "</strong>";
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

  W.polygonLayer = function (url, opts) {
    return new W.PolygonLayer(url, opts);
  };
})();
