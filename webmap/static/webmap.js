/* webmap: the few behaviours Folium has no element for (served by the app, no CDN). */
(function () {
  "use strict";
  var W = (window.WebMap = window.WebMap || {});
  W.markers = {};
  W.regional = {};
  W.themeGroups = {};  // theme slug -> its markers' layer group
  W.map = null;
  W.center = null;

  /* Marker symbols come drawn by the server (webmap/mapview/symbols.py, the legends' source
     too), in the data island: SVG written by the code, never from the project file. */
  W.icon = function (it) {
    return L.divIcon({ className: "wm-marker wm-" + it.kind, html: W.data().icons[it.icon],
                       iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -10] });
  };

  W.setMap = function (map, center) {
    W.map = map;
    W.center = center;
  };

  /* Popups (project cards) are fetched when first opened: the page does not carry the
     54 summaries (100 KB) that few visitors read. */
  var POPUP = { maxWidth: 360, minWidth: 240, autoPanPadding: [24, 24] };
  var cards = {};
  /* A card's links are relative to the card's own address (a static copy has no root). */
  function linksFrom(html, base) {
    var box = document.createElement("template");
    box.innerHTML = html;
    box.content.querySelectorAll("a[href]").forEach(function (a) {
      a.setAttribute("href", new URL(a.getAttribute("href"), base).href);
    });
    return box.innerHTML;
  }
  function fillPopup(popup, address) {
    cards[address] = cards[address] || fetch(address, { credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.text().then(function (html) { return linksFrom(html, r.url); }) : Promise.reject(r.status);
      });
    cards[address].then(function (html) { popup.setContent(html); },
                        function () { popup.setContent("Fiche indisponible."); });
  }

  /* The page's JSON data island (<script type="application/json" id="wm-data">): project
     texts arrive as data, never as code. */
  var island = null;
  W.data = function () {
    if (island === null) {
      var node = document.getElementById("wm-data");
      island = node ? JSON.parse(node.textContent) : { markers: {}, regional: [] };
    }
    return island;
  };

  /* Up to this many projects, each marker is an element of the page (a focusable button
     with its symbol); beyond it (the national scale: 2,610 projects), markers are drawn on
     one canvas, which a browser draws in a few milliseconds, and the list of projects is
     their text alternative. */
  W.DOM_MARKERS_MAX = W.DOM_MARKERS_MAX || 400;
  var markerCanvas = null;
  var placed = 0;

  function markerFor(it, theme) {
    var data = W.data(), total = 0;
    Object.keys(data.markers).forEach(function (t) { total += data.markers[t].length; });
    if (total <= W.DOM_MARKERS_MAX) {
      return L.marker([it.lat, it.lon], { icon: W.icon(it), title: it.title, alt: it.title,
                                          keyboard: true, riseOnHover: true });
    }
    markerCanvas = markerCanvas || L.canvas({ padding: 0.1 });
    return L.circleMarker([it.lat, it.lon], {
      renderer: markerCanvas, radius: 5, weight: 1.5, color: "#ffffff", fillOpacity: 1,
      fillColor: data.themeColors[theme], dashArray: it.kind.indexOf("imprecise") >= 0 ? "2 2" : null,
    }).bindTooltip(W.escape(it.title));
  }

  W.addProjects = function (group, theme) {
    W.themeGroups[theme] = group;
    (W.data().markers[theme] || []).forEach(function (it) {
      var marker = markerFor(it, theme);
      marker.bindPopup("Chargement…", POPUP);
      marker.once("popupopen", function () { fillPopup(marker.getPopup(), it.popupUrl); });
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
      placed += 1;
    });
    // How many markers are placed (benchmarks and tests: with canvas markers, no element).
    document.documentElement.setAttribute("data-markers", String(placed));
  };

  W.addRegional = function () {
    W.data().regional.forEach(function (it) { W.regional[it.id] = it.popupUrl; });
  };

  W.colorFor = function (value, opts) {
    if (value === undefined || value === null) return opts.noDataColor;
    for (var i = 0; i < opts.classes.length; i++) {
      if (value <= opts.classes[i].upper + 1e-9) return opts.classes[i].color;
    }
    return opts.classes.length ? opts.classes[opts.classes.length - 1].color : opts.noDataColor;
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
      var popup = L.popup(POPUP).setLatLng(W.center).setContent("Chargement…").openOn(W.map);
      fillPopup(popup, W.regional[id]);
      return true;
    }
    return false;
  };

  /* ?projet=… also works on a static copy, where no server reads the query string. */
  W.openFromUrl = function () {
    var id = W.data().openProject || new URLSearchParams(window.location.search).get("projet");
    if (id) W.openProject(id);
  };

  /* A message shown in the map (e.g. a layer that could not load), read by screen readers. */
  W.notice = function (map, text) {
    var box = map._wmNotice;
    if (!box) {
      var Notice = L.Control.extend({
        onAdd: function () {
          var div = L.DomUtil.create("div", "wm-notice");
          div.setAttribute("role", "alert");
          return div;
        },
      });
      map._wmNotice = box = new Notice({ position: "bottomright" }).addTo(map);
    }
    box.getContainer().textContent = text;
  };

  /* Readiness: <html data-ready="1"> and a "webmap:ready" event on the document once every
     polygon layer in view is drawn (none "loading", see polygons.js) and the markers are
     placed; cleared while a layer loads. For tests, benchmarks, print and host pages. */
  function layersSettled() {
    var attributes = document.documentElement.attributes;
    for (var i = 0; i < attributes.length; i++) {
      var a = attributes[i];
      if (a.name.indexOf("data-") === 0 && a.value === "loading") return false;
    }
    return true;
  }
  W.watchReady = function () {
    var root = document.documentElement;
    function check() {
      var settled = layersSettled();
      if (settled && root.getAttribute("data-ready") !== "1") {
        root.setAttribute("data-ready", "1");
        document.dispatchEvent(new CustomEvent("webmap:ready"));
      } else if (!settled && root.hasAttribute("data-ready")) {
        root.removeAttribute("data-ready");
      }
    }
    new MutationObserver(check).observe(root, { attributes: true });
    check();
  };

  /* Views as data. The island holds the page's view and its figures; every other view's
     figures are a file (/donnees/vues/<niveau>/<indicateur>/<theme>.json, also in the
     static copy). A view is applied in place: choropleth, outlines, themes, focus, legend,
     address (history.replaceState) and a polite announcement; the page never reloads and
     keyboard focus stays where it was. While a view loads, <html data-view="loading">
     clears the readiness signal. */
  var PARAMS = ["niveau", "indicateur", "theme", "departement"];
  var viewFiles = {};
  var viewToken = 0;
  W.current = null;
  W.choropleth = null;
  W.outline = null;

  function sameFigures(a, b) {
    return a.niveau === b.niveau && a.indicateur === b.indicateur && a.theme === b.theme;
  }

  /* A theme list as the server writes it (vocabulary order), or null if a slug is unknown. */
  function canonicalThemes(raw, accepted) {
    var parts = raw.split(",").filter(Boolean);
    if (parts.length === 1 && parts[0] === accepted[0]) return accepted[0];
    var known = accepted.slice(1);
    if (!parts.length || parts.some(function (t) { return known.indexOf(t) < 0; })) return null;
    var chosen = known.filter(function (t) { return parts.indexOf(t) >= 0; });
    return chosen.length === known.length ? accepted[0] : chosen.join(",");
  }

  /* The view an address names, on top of `base`; unknown values are ignored (the server
     answers them with a 400; a static copy has no server to do so). */
  W.viewFromQuery = function (search, base) {
    var data = W.data(), query = new URLSearchParams(search), view = {};
    PARAMS.forEach(function (name) { view[name] = base[name]; });
    PARAMS.forEach(function (name) {
      var raw = query.get(name);
      if (raw === null) return;
      if (raw === "") { view[name] = name === "departement" ? "" : data.defaults[name]; return; }
      var value = name === "theme" ? canonicalThemes(raw, data.accepted.theme)
        : (data.accepted[name].indexOf(raw) >= 0 ? raw : null);
      if (value !== null) view[name] = value;
    });
    return view;
  };

  function fetchView(view) {
    var data = W.data(), slots = data.viewSlots;
    var address = data.viewUrl.replace(slots.niveau, view.niveau)
      .replace(slots.indicateur, view.indicateur).replace(slots.theme, encodeURIComponent(view.theme));
    viewFiles[address] = viewFiles[address] || fetch(address, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(address + " : " + r.status); return r.json(); });
    viewFiles[address].catch(function () { delete viewFiles[address]; });
    return viewFiles[address];
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The legend as the server prints it (index.html, embed.html), from the view's data. */
  function renderLegend(legend) {
    var box = document.getElementById("legende");
    if (!box) return;
    var nodes = [element(box.getAttribute("data-heading") || "h3", "", legend.title)];
    if (legend.noData) {
      var empty = element("p", "wm-legend-empty");
      empty.append(element("span", "wm-swatch wm-fill-nodata"), " Aucune donnée à afficher.");
      nodes.push(empty);
    } else {
      var list = element("ul");
      legend.classes.forEach(function (c) {
        var item = element("li");
        item.append(element("span", "wm-swatch " + c.css), c.label);
        list.append(item);
      });
      nodes.push(list);
    }
    var limit = box.hasAttribute("data-notes") ? Number(box.getAttribute("data-notes")) : legend.notes.length;
    legend.notes.slice(0, limit).forEach(function (note) { nodes.push(element("p", "wm-legend-note", note)); });
    box.replaceChildren.apply(box, nodes);
  }

  function themeList(view) {
    return view.theme === W.data().accepted.theme[0] ? null : view.theme.split(",");
  }

  function drawChoropleth(view, figures) {
    var data = W.data(), map = W.map, level = data.levels[view.niveau], layer = W.choropleth;
    var opts = L.Util.extend({
      key: "choropleth", label: figures.legend.title, noDataColor: data.noDataColor,
      order: data.drawOrder.choropleth,
      style: L.Util.extend({ weight: level.weight }, data.choroplethStyle),
    }, figures.choropleth, level.parts ? { parts: level.parts, minZoom: level.minZoom, detailZoom: level.detailZoom } : {});
    var shown = !layer || map.hasLayer(layer);
    if (layer) W.control.removeLayer(layer);
    if (layer && W.current.niveau === view.niveau) {
      layer.restyle(opts);
    } else {
      if (layer) map.removeLayer(layer);
      layer = W.choropleth = W.polygonLayer(level.url || "", opts);
      if (shown) layer.addTo(map);
    }
    W.control.addOverlay(layer, figures.legend.title);
  }

  function drawOutline(view) {
    var data = W.data(), map = W.map;
    W.outline = W.outline || W.polygonLayer(data.outlineUrl, {
      key: "departements", label: "Limites des départements", interactive: false,
      order: data.drawOrder.outline, style: { color: "#161616", weight: 2, fill: false } });
    if (view.niveau !== "departement") { if (!map.hasLayer(W.outline)) W.outline.addTo(map); }
    else if (map.hasLayer(W.outline)) map.removeLayer(W.outline);
  }

  function showThemes(view) {
    var themes = themeList(view), map = W.map;
    Object.keys(W.themeGroups).forEach(function (slug) {
      var group = W.themeGroups[slug];
      if (!themes || themes.indexOf(slug) >= 0) { if (!map.hasLayer(group)) map.addLayer(group); }
      else if (map.hasLayer(group)) map.removeLayer(group);
    });
    Object.keys(W.layers).forEach(function (key) {
      if (W.layers[key]._opts.byTheme) W.layers[key].restyle({ onlyThemes: themes });
    });
  }

  /* The address of the view: the server's parameters, defaults left out; others kept. */
  function queryOf(view, search) {
    var data = W.data(), query = new URLSearchParams();
    PARAMS.forEach(function (name) {
      var value = view[name], fallback = name === "departement" ? "" : data.defaults[name];
      if (value && value !== fallback) query.set(name, value);
    });
    new URLSearchParams(search).forEach(function (value, name) {
      if (PARAMS.indexOf(name) < 0) query.append(name, value);
    });
    var text = query.toString().replace(/%2C/g, ",");
    return text ? "?" + text : "";
  }

  function announce(view, figures) {
    var box = document.getElementById("annonce-vue"), labels = W.data().labels;
    if (!box) return;
    var themes = themeList(view);
    var text = "Carte mise à jour : " + figures.legend.title + ", " +
      (themes ? themes.map(function (t) { return labels.theme[t]; }).join(", ") : labels.theme[view.theme]) +
      (view.departement ? ", " + labels.departement[view.departement] : "") + ".";
    box.textContent = text;
  }

  function syncForm(view) {
    document.querySelectorAll("form[data-view-form]").forEach(function (form) {
      PARAMS.forEach(function (name) {
        var field = form.elements[name];
        if (field && field.tagName === "SELECT" && field.value !== view[name]) {
          var known = Array.prototype.some.call(field.options, function (o) { return o.value === view[name]; });
          if (known) field.value = view[name];
        }
      });
    });
  }

  function drawView(view, figures, quiet) {
    var previous = W.current, map = W.map;
    if (!previous || previous.departement !== view.departement) {
      if (previous || view.departement) W.fitBounds(W.data().focus[view.departement || ""]);
    }
    if (!previous || !sameFigures(previous, view)) drawChoropleth(view, figures);
    drawOutline(view);
    if (!previous || previous.theme !== view.theme) showThemes(view);
    renderLegend(figures.legend);
    syncForm(view);
    W.current = view;
    var address = queryOf(view, window.location.search);
    if (address !== window.location.search) {
      history.replaceState(history.state, "", window.location.pathname + address + window.location.hash);
    }
    document.querySelectorAll("a[data-view-link]").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), window.location.href);
      url.search = queryOf(view, url.search);
      a.setAttribute("href", url.href);
    });
    if (!quiet) announce(view, figures);
    if (W.choropleth) W.choropleth.drawNow();
    if (map) map.fire("webmap:view", { view: view });
  }

  /* Apply a view ({niveau, indicateur, theme, departement}); `figures`, when already known
     (the page's first view), spares a request. */
  W.applyView = function (view, figures, quiet) {
    var root = document.documentElement, token = ++viewToken;
    root.setAttribute("data-view", "loading");
    var pending = figures ? Promise.resolve(figures) : fetchView(view);
    return pending.then(function (got) {
      if (token !== viewToken) return;  // a newer choice superseded this one
      drawView(view, got, quiet);
      root.setAttribute("data-view", "loaded");
    }, function () {
      if (token !== viewToken) return;
      root.setAttribute("data-view", "error");
      W.notice(W.map, "Impossible de charger cette vue de la carte : vérifiez la connexion puis réessayez.");
    });
  };

  function viewOfForm(form) {
    var view = L.Util.extend({}, W.current);
    PARAMS.forEach(function (name) {
      if (form.elements[name] && form.elements[name].value !== undefined) view[name] = form.elements[name].value;
    });
    return W.viewFromQuery(new URLSearchParams(view).toString(), W.current);
  }

  /* Called by the map's script once its layers exist: the first view, then the choices. */
  W.start = function (control) {
    var data = W.data();
    W.control = control;
    W.addRegional();
    var first = W.viewFromQuery(window.location.search, data.view);
    W.applyView(first, sameFigures(first, data.view) ? data.viewData : null, true);
    document.querySelectorAll("form[data-view-form]").forEach(function (form) {
      form.addEventListener("change", function () { W.applyView(viewOfForm(form)); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        W.applyView(viewOfForm(form));
      });
    });
    window.addEventListener("popstate", function () {
      W.applyView(W.viewFromQuery(window.location.search, data.view));
    });
    W.openFromUrl();
    W.watchReady();
  };

  W.fitBounds = function (bounds) {
    W.map.fitBounds(bounds, { padding: [12, 12], animate: false });
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
})();
