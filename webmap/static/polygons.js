/* webmap polygons: the binary format written by webmap/polygon_codec.py, decoded here and
   drawn on one canvas per layer (no Leaflet object per polygon), hit-tested for tooltips. */
(function () {
  "use strict";
  var W = (window.WebMap = window.WebMap || {});

  function unpackColumn(column) {
    if (Array.isArray(column)) return column;
    var out = [], value = 0, pad = new Array(column.width + 1).join("0");
    column.deltas.forEach(function (delta) {
      value += delta;
      var digits = String(value);
      out.push(column.prefix + (pad + digits).slice(-Math.max(column.width, digits.length)));
    });
    return out;
  }

  /* {count, properties: {name: [value per feature]}, rings: [per feature: [Float64Array
     lon, lat, lon, lat…]]} */
  W.decodePolygons = function (buffer) {
    var bytes = new Uint8Array(buffer), pos = 4;
    if (bytes.length < 4 || String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) !== "WMP1") {
      throw new Error("géométrie : format WMP1 attendu");
    }
    function varint() {
      var byte = bytes[pos++];
      if (byte < 0x80) return byte;
      var value = byte & 0x7f, factor = 128;
      do {
        if (pos >= bytes.length) throw new Error("géométrie tronquée");
        byte = bytes[pos++];
        value += (byte & 0x7f) * factor;
        factor *= 128;
      } while (byte >= 0x80);
      return value;
    }
    function signed(v) { return v % 2 ? -(v + 1) / 2 : v / 2; }
    var length = varint();
    var header = JSON.parse(new TextDecoder().decode(bytes.subarray(pos, pos + length)));
    pos += length;
    var step = header.step, x = header.origin[0], y = header.origin[1];
    var rings = new Array(header.count);
    for (var i = 0; i < header.count; i++) {
      var count = varint(), feature = new Array(count);
      for (var r = 0; r < count; r++) {
        var n = varint(), ring = new Float64Array(2 * n);
        for (var k = 0; k < n; k++) {
          x += signed(varint());
          y += signed(varint());
          ring[2 * k] = x * step;
          ring[2 * k + 1] = y * step;
        }
        feature[r] = ring;
      }
      rings[i] = feature;
    }
    if (pos !== bytes.length) throw new Error("géométrie : octets en trop");
    var properties = {};
    Object.keys(header.properties).forEach(function (name) {
      properties[name] = unpackColumn(header.properties[name]);
    });
    return { count: header.count, properties: properties, rings: rings };
  };

  /* GeoJSON for Leaflet's own layers (outlines): one Polygon per feature holding all its
     rings, which Leaflet fills with the even-odd rule, as the format means. */
  W.polygonsToGeoJson = function (decoded) {
    var features = [];
    for (var i = 0; i < decoded.count; i++) {
      if (!decoded.rings[i].length) continue;
      var properties = {};
      Object.keys(decoded.properties).forEach(function (name) {
        properties[name] = decoded.properties[name][i];
      });
      features.push({
        type: "Feature", properties: properties,
        geometry: { type: "Polygon", coordinates: decoded.rings[i].map(function (ring) {
          var out = [];
          for (var k = 0; k < ring.length; k += 2) out.push([ring[k], ring[k + 1]]);
          return out;
        }) },
      });
    }
    return { type: "FeatureCollection", features: features };
  };

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

  function insideRings(rings, x, y) {
    var inside = false;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
        var yi = ring[i + 1], yj = ring[j + 1];
        if ((yi > y) !== (yj > y) &&
            x < (ring[j] - ring[i]) * (y - yi) / (yj - yi) + ring[i]) inside = !inside;
      }
    });
    return inside;
  }

  /* Every polygon layer on a map; the last added is on top for hovering. One tooltip. */
  var hovering = [];
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

  /* A layer of polygons drawn on its own canvas, from one file (`url`) or from parts
     fetched only when in view (`parts`: [{url, bbox, offset}], from `minZoom` on).
     Choropleth: `values` holds one value per feature of the level, in file order (parts
     one after the other); otherwise (`detailsUrl`) only the features listed there are
     drawn, in `style.fillColor`. */
  W.PolygonCanvas = L.Canvas.extend({
    initialize: function (url, opts) {
      L.Canvas.prototype.initialize.call(this, { padding: 0.1, pane: opts.pane || "overlayPane" });
      this._url = url;
      this._opts = opts;
      this._parts = [];
      this._loaded = {};
      this._details = null;
      this._drawn = 0;
    },

    _initContainer: function () {
      // Events come from the map (see onPointer): the canvas lets them through.
      this._container = document.createElement("canvas");
      this._container.className = "wm-polygons";
      this._ctx = this._container.getContext("2d");
    },

    onAdd: function (map) {
      if (this._opts.pane) W.ensurePane(map, this._opts.pane, 350);
      L.Canvas.prototype.onAdd.call(this, map);
      hovering.push(this);
      if (!map._wmHover) {
        map._wmHover = true;
        map.on("mousemove click", onPointer);
        map.on("mouseout", onLeave);
      }
      map.on("moveend", this._loadVisible, this);
      this._loadVisible();  // the page sets its view before adding layers
    },

    onRemove: function (map) {
      map.off("moveend", this._loadVisible, this);
      hovering.splice(hovering.indexOf(this), 1);
      if (hovered && hovered.layer === this) onLeave();
      L.Canvas.prototype.onRemove.call(this, map);
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
        self._redraw();
        self._mark("loaded");
      }, function (error) {
        self._mark("error");
        throw error;
      });
    },

    _fillOf: function (index, code) {
      var opts = this._opts;
      if (this._details) return code in this._details ? opts.style.fillColor : null;
      return W.colorFor(opts.values[index], opts);
    },

    /* Features in zoom-0 pixels (for hit tests) and one Path2D per fill colour, relative
       to the part's corner so that float32 path coordinates stay precise when zoomed in. */
    _addPart: function (decoded, offset) {
      var features = [], groups = {}, base = null;
      for (var i = 0; i < decoded.count; i++) {
        var code = decoded.properties.code[i], fill = this._fillOf(offset + i, code);
        if (fill === null || !decoded.rings[i].length) continue;
        var box = [Infinity, Infinity, -Infinity, -Infinity];
        var rings = decoded.rings[i].map(function (lonlat) {
          var ring = new Float64Array(lonlat.length);
          for (var k = 0; k < lonlat.length; k += 2) {
            var x = projectX(lonlat[k]), y = projectY(lonlat[k + 1]);
            ring[k] = x; ring[k + 1] = y;
            if (x < box[0]) box[0] = x;
            if (y < box[1]) box[1] = y;
            if (x > box[2]) box[2] = x;
            if (y > box[3]) box[3] = y;
          }
          return ring;
        });
        base = base || [box[0], box[1]];
        features.push({ index: offset + i, code: code, nom: decoded.properties.nom[i],
                        rings: rings, box: box, path: null });
        groups[fill] = groups[fill] || [];
        groups[fill].push(features[features.length - 1]);
      }
      if (!features.length) return;
      var part = { base: base, features: features, groups: [] };
      Object.keys(groups).forEach(function (fill) {
        var path = new Path2D();
        groups[fill].forEach(function (f) { addRings(path, f.rings, base); });
        part.groups.push({ fill: fill, path: path });
      });
      this._parts.push(part);
      this._drawn += features.length;
    },

    _updatePaths: function () {
      if (!this._postponeUpdatePaths) this._redraw();
    },

    _draw: function () {
      var map = this._map, ctx = this._ctx, style = this._opts.style;
      if (!map || !ctx) return;
      var scale = map.getZoomScale(this._zoom, 0), origin = map.getPixelOrigin();
      var mark = hovered && hovered.layer === this ? hovered.feature : null;
      this._parts.forEach(function (part) {
        ctx.save();
        ctx.translate(part.base[0] * scale - origin.x, part.base[1] * scale - origin.y);
        ctx.scale(scale, scale);
        ctx.lineJoin = "round";
        ctx.strokeStyle = style.color;
        ctx.lineWidth = style.weight / scale;
        part.groups.forEach(function (group) {
          ctx.globalAlpha = style.fillOpacity;
          ctx.fillStyle = group.fill;
          ctx.fill(group.path, "evenodd");
          ctx.globalAlpha = 1;
          ctx.stroke(group.path);
        });
        if (mark && part.features.indexOf(mark) >= 0) {
          if (!mark.path) addRings(mark.path = new Path2D(), mark.rings, part.base);
          ctx.strokeStyle = "#161616";
          ctx.lineWidth = 2.5 / scale;
          ctx.stroke(mark.path);
        }
        ctx.restore();
      });
    },

    featureAt: function (latlng) {
      var x = projectX(latlng.lng), y = projectY(latlng.lat);
      for (var p = 0; p < this._parts.length; p++) {
        var features = this._parts[p].features;
        for (var i = 0; i < features.length; i++) {
          var b = features[i].box;
          if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && insideRings(features[i].rings, x, y)) {
            return { layer: this, feature: features[i] };
          }
        }
      }
      return null;
    },

    describe: function (feature) {
      var opts = this._opts;
      var text = "<strong>" + W.escape(feature.nom) + "</strong>";
      if (opts.values) {
        var value = opts.values[feature.index];
        text += "<br>" + (value === null || value === undefined
          ? W.escape(opts.noDataText)
          : W.formatNumber(value, opts.decimals) + " " + W.escape(opts.unit));
      }
      var d = this._details && this._details[feature.code];
      if (d) {
        text += "<br>" + W.formatNumber(d[0], 0) + " habitants sans projet local" +
          "<br>Projet local le plus proche : " +
          (d[1] === null ? "aucun" : W.formatNumber(d[1], 1) + " km") +
          "<br>Couverte seulement par " + d[2] + " projet(s) départemental(aux) et " +
          d[3] + " régional(aux)";
      }
      return text;
    },
  });

  function addRings(path, rings, base) {
    rings.forEach(function (ring) {
      path.moveTo(ring[0] - base[0], ring[1] - base[1]);
      for (var k = 2; k < ring.length; k += 2) path.lineTo(ring[k] - base[0], ring[k + 1] - base[1]);
      path.closePath();
    });
  }

  W.polygonCanvas = function (url, opts) {
    return new W.PolygonCanvas(url, opts);
  };
})();
