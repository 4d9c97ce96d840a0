/* The binary polygon format written by webmap/mapview/polygon_codec.py ("WMP1"), decoded into flat
   typed arrays. One module for the browser (WebMap.decodePolygons) and Node (its tests:
   tests/js/polygon-decoder.test.js). Damaged input throws an Error, in French. */
/* global module */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.WebMap = root.WebMap || {};
    root.WebMap.decodePolygons = api.decodePolygons;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  function unpackColumn(column) {
    if (Array.isArray(column)) return column;
    if (!column || !Array.isArray(column.deltas)) throw new Error("géométrie : colonne de propriétés illisible");
    var out = [], value = 0, pad = new Array(column.width + 1).join("0");
    column.deltas.forEach(function (delta) {
      value += delta;
      var digits = String(value);
      out.push(column.prefix + (pad + digits).slice(-Math.max(column.width, digits.length)));
    });
    return out;
  }

  /* Flat arrays, no object per ring: {count, properties: {name: [value per feature]},
     coords: Float64Array lon, lat, lon, lat…, ringStart: Int32Array (ring r holds the
     points ringStart[r] to ringStart[r + 1] - 1), featureRing: Int32Array (feature i
     holds the rings featureRing[i] to featureRing[i + 1] - 1)}. */
  function decodePolygons(buffer) {
    var bytes = new Uint8Array(buffer), pos = 4;
    if (bytes.length < 4 || String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) !== "WMP1") {
      throw new Error("géométrie : format WMP1 attendu");
    }
    function varint() {
      if (pos >= bytes.length) throw new Error("géométrie tronquée");
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
    var length = varint();
    if (pos + length > bytes.length) throw new Error("géométrie tronquée (en-tête)");
    var header;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(pos, pos + length)));
    } catch {
      throw new Error("géométrie : en-tête illisible");
    }
    pos += length;
    if (!header || !(header.step > 0) || !Array.isArray(header.origin) || header.origin.length !== 2 ||
        !(Number.isInteger(header.count) && header.count >= 0) || typeof header.properties !== "object") {
      throw new Error("géométrie : en-tête incomplet");
    }
    if (header.count > bytes.length - pos) throw new Error("géométrie : trop d'entités pour sa taille");
    var step = header.step, x = header.origin[0], y = header.origin[1], count = header.count;
    // Every point takes at least two bytes and every ring at least seven: upper bounds.
    var coords = new Float64Array(bytes.length - pos + 2);
    var ringStart = new Int32Array(Math.floor((bytes.length - pos) / 7) + 2);
    var featureRing = new Int32Array(count + 1);
    var points = 0, rings = 0, v;
    for (var i = 0; i < count; i++) {
      featureRing[i] = rings;
      for (var r = varint(); r > 0; r--) {
        if (rings + 1 >= ringStart.length) throw new Error("géométrie : anneaux en trop");
        ringStart[rings++] = points;
        var k = varint();
        if (2 * (points + k) > coords.length) throw new Error("géométrie : points en trop");
        for (; k > 0; k--) {
          // Most deltas fit in one byte: read those inline, the rest through varint().
          v = bytes[pos] < 0x80 ? bytes[pos++] : varint();
          x += v % 2 ? -(v + 1) / 2 : v / 2;
          v = bytes[pos] < 0x80 ? bytes[pos++] : varint();
          y += v % 2 ? -(v + 1) / 2 : v / 2;
          coords[2 * points] = x * step;
          coords[2 * points + 1] = y * step;
          points++;
        }
      }
    }
    featureRing[count] = rings;
    ringStart[rings] = points;
    if (pos !== bytes.length) throw new Error("géométrie : octets en trop");
    var properties = {};
    Object.keys(header.properties).forEach(function (name) {
      properties[name] = unpackColumn(header.properties[name]);
      if (properties[name].length !== count) throw new Error("géométrie : propriété « " + name + " » incomplète");
    });
    return { count: count, properties: properties, coords: coords.subarray(0, 2 * points),
             ringStart: ringStart.subarray(0, rings + 1), featureRing: featureRing };
  }


  return { decodePolygons: decodePolygons, unpackColumn: unpackColumn };
});
