/* webmap: the few behaviours Folium has no element for (served by the app, no CDN). */
(function () {
  "use strict";
  var W = (window.WebMap = window.WebMap || {});
  W.markers = {};
  W.regional = {};
  W.map = null;
  W.center = null;

  W.escape = function (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  W.formatNumber = function (value, decimals) {
    return Number(value)
      .toFixed(decimals)
      .replace(".", ",")
      .replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  };

  var SHAPES = {
    precise: function (c) {
      return '<circle cx="13" cy="13" r="8" fill="' + c + '" stroke="#fff" stroke-width="2.5"/>';
    },
    imprecise: function (c) {
      return '<circle cx="13" cy="13" r="8" fill="#fff" fill-opacity="0.85" stroke="' + c +
        '" stroke-width="3" stroke-dasharray="4 2.5"/>';
    },
    "aller-vers": function (c) {
      return '<path d="M13 1.5 24.5 13 13 24.5 1.5 13Z" fill="' + c +
        '" stroke="#fff" stroke-width="2"/><path d="M8 13h9m-3.5-3.5L17 13l-3.5 3.5" stroke="#fff" stroke-width="2" fill="none"/>';
    },
    "aller-vers-imprecise": function (c) {
      return '<path d="M13 2 24 13 13 24 2 13Z" fill="#fff" fill-opacity="0.85" stroke="' + c +
        '" stroke-width="3" stroke-dasharray="4 2.5"/><path d="M8 13h9m-3.5-3.5L17 13l-3.5 3.5" stroke="' +
        c + '" stroke-width="2" fill="none"/>';
    },
  };

  W.icon = function (kind, color) {
    var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="26" height="26" viewBox="0 0 26 26" aria-hidden="true">' +
      SHAPES[kind](color) + "</svg>";
    return L.divIcon({ className: "wm-marker wm-" + kind, html: svg, iconSize: [26, 26],
                       iconAnchor: [13, 13], popupAnchor: [0, -10] });
  };

  /* Choropleths draw in their own pane under the outlines and markers (one canvas). */
  W.ensurePane = function (map, name, zIndex) {
    if (!map.getPane(name)) map.createPane(name).style.zIndex = String(zIndex);
  };

  W.setMap = function (map, center) {
    W.map = map;
    W.center = center;
  };

  W.addProjects = function (group, items) {
    items.forEach(function (it) {
      var marker = L.marker([it.lat, it.lon], {
        icon: W.icon(it.kind, it.color), title: it.title, alt: it.title,
        keyboard: true, riseOnHover: true,
      });
      marker.bindPopup(it.popup || "Chargement…", { maxWidth: 360, minWidth: 240, autoPanPadding: [24, 24] });
      if (!it.popup) {
        marker.once("popupopen", function () {
          fetch(it.popupUrl, { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
            .then(function (html) { marker.setPopupContent(html); },
                  function () { marker.setPopupContent("Fiche indisponible."); });
        });
      }
      marker.on("add", function () {
        var el = marker.getElement();
        if (el) {
          el.setAttribute("role", "button");
          el.setAttribute("aria-label", it.title);
          el.setAttribute("data-projet", it.id);
        }
      });
      marker.addTo(group);
      W.markers[it.id] = { marker: marker, group: group };
    });
  };

  W.addRegional = function (items) {
    items.forEach(function (it) { W.regional[it.id] = it.popup; });
  };

  W.colorFor = function (value, opts) {
    if (value === undefined || value === null) return opts.noDataColor;
    for (var i = 0; i < opts.classes.length; i++) {
      if (value <= opts.classes[i].upper + 1e-9) return opts.classes[i].color;
    }
    return opts.classes.length ? opts.classes[opts.classes.length - 1].color : opts.noDataColor;
  };

  function getJson(address) {
    return fetch(address, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(address + " : " + r.status);
      return r.json();
    });
  }

  function toGeoJson(data) {
    if (data && data.type === "Topology") {
      var name = Object.keys(data.objects)[0];
      return topojson.feature(data, data.objects[name]);
    }
    return data;
  }

  function intersects(bounds, box) {
    return bounds.intersects(L.latLngBounds(box[0], box[1]));
  }

  /* A GeoJSON layer whose geometry is a separate, cacheable (TopoJSON) resource, fetched
     only once the layer is on the map; with `parts`, only the parts in view are fetched
     (communes department by department), from `minZoom` on. */
  W.remoteGeoJson = function (layer, url, opts) {
    var details = null;
    var mark = function (state) {
      document.documentElement.setAttribute("data-" + opts.key, state);
      document.documentElement.setAttribute("data-" + opts.key + "-features", String(layer.getLayers().length));
    };
    if (opts.canvas) layer.options.renderer = L.canvas({ padding: 0.3, pane: opts.pane || "overlayPane" });
    layer.options.filter = function (feature) {
      if (opts.onlyThemes && opts.onlyThemes.indexOf(feature.properties.theme) < 0) return false;
      if (details && !(feature.properties.code in details)) return false;
      return true;
    };
    layer.options.style = function (feature) {
      var style = Object.assign({}, opts.style || {});
      if (opts.colorProperty) style.color = feature.properties[opts.colorProperty];
      if (opts.values) {
        var code = feature.properties.code;
        var value = code in opts.values ? opts.values[code] : opts.missing;
        style.fillColor = W.colorFor(value, opts);
      }
      return style;
    };
    // One tooltip for the whole layer, its text built on hover: no object per polygon.
    layer.bindTooltip(function (sub) {
      var p = sub.feature.properties;
      var text = "<strong>" + W.escape(p.nom || p.titre || "") + "</strong>";
      if (opts.values) {
        var value = p.code in opts.values ? opts.values[p.code] : opts.missing;
        text += "<br>" + (value === null || value === undefined
          ? W.escape(opts.noDataText)
          : W.formatNumber(value, opts.decimals) + " " + W.escape(opts.unit));
      }
      if (details && details[p.code]) {
        var d = details[p.code];
        text += "<br>" + W.formatNumber(d[0], 0) + " habitants sans projet local" +
          "<br>Projet local le plus proche : " +
          (d[1] === null ? "aucun" : W.formatNumber(d[1], 1) + " km") +
          "<br>Couverte seulement par " + d[2] + " projet(s) départemental(aux) et " +
          d[3] + " régional(aux)";
      }
      if (p.detail) text += "<br>" + W.escape(p.detail);
      return text;
    }, { sticky: true });

    var detailsReady = opts.detailsUrl ? null : Promise.resolve(null);
    function withDetails() {
      if (!detailsReady) {
        detailsReady = getJson(opts.detailsUrl).then(function (d) { details = d; return d; });
      }
      return detailsReady;
    }
    function addPart(address) {
      return Promise.all([getJson(address), withDetails()]).then(function (results) {
        layer.addData(toGeoJson(results[0]));
      });
    }

    if (!opts.parts) {
      layer.once("add", function () {
        if (opts.pane) W.ensurePane(layer._map, opts.pane, 350);
        mark("loading");
        addPart(url).then(function () { mark("loaded"); });
      });
      return;
    }
    var loaded = {};
    function loadVisible() {
      var map = layer._map;
      if (!map) return;
      if (map.getZoom() < (opts.minZoom || 0)) { mark("zoom"); return; }
      var bounds = map.getBounds();
      var pending = opts.parts.filter(function (part) {
        return !loaded[part.url] && intersects(bounds, part.bbox);
      });
      if (!pending.length) return;
      mark("loading");
      pending.forEach(function (part) { loaded[part.url] = true; });
      Promise.all(pending.map(function (part) { return addPart(part.url); })).then(function () {
        mark("loaded");
      });
    }
    var attached = null;
    layer.on("add", function () {
      if (opts.pane) W.ensurePane(layer._map, opts.pane, 350);
      attached = layer._map;
      attached.on("moveend", loadVisible);
      // After the page script has set the initial view (fitBounds), not before.
      setTimeout(loadVisible, 0);
    });
    layer.on("remove", function () {
      if (attached) attached.off("moveend", loadVisible);
      attached = null;
    });
  };

  W.openProject = function (id) {
    var entry = W.markers[id];
    if (entry) {
      if (!W.map.hasLayer(entry.group)) W.map.addLayer(entry.group);
      W.map.setView(entry.marker.getLatLng(), Math.max(W.map.getZoom(), 8));
      entry.marker.openPopup();
      return true;
    }
    if (W.regional[id]) {
      L.popup({ maxWidth: 360, minWidth: 240 }).setLatLng(W.center).setContent(W.regional[id]).openOn(W.map);
      return true;
    }
    return false;
  };

  /* ?projet=… also works on a static copy, where no server reads the query string. */
  W.openFromUrl = function () {
    var id = new URLSearchParams(window.location.search).get("projet");
    if (id) W.openProject(id);
  };

  W.fitBounds = function (bounds) {
    W.map.fitBounds(bounds, { padding: [12, 12] });
  };

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("button[data-projet]");
    if (target && W.map) {
      event.preventDefault();
      W.openProject(target.getAttribute("data-projet"));
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (window.innerWidth < 600) {
      document.querySelectorAll("details[data-close-narrow]").forEach(function (d) { d.open = false; });
    }
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
})();
