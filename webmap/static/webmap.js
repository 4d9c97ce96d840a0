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
    return L.divIcon({ className: "wm-marker wm-" + it.kind, html: W.data().icons[it.kind + " " + it.theme],
                       iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -10] });
  };

  /* Visitors who ask their system for less motion get no zoom, pan or fade animation. */
  W.reducedMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

  W.setMap = function (map, center) {
    W.map = map;
    W.center = center;
    if (W.reducedMotion) {
      map._zoomAnimated = false;  // read by Leaflet at each zoom; its option is read only at creation
      map.getContainer().classList.remove("leaflet-fade-anim");
    }
    // Leaflet's controls speak English: French titles, metric scale (MapSetup).
    if (map.zoomControl) map.removeControl(map.zoomControl);
    map.zoomControl = L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
    if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
    // Controls before the markers in the keyboard's path: Leaflet appends them after its
    // panes, so the layer checkboxes came after every marker. Positions are absolute.
    map.getContainer().insertBefore(map._controlContainer, map.getPane("mapPane"));
    map.on("popupopen", onCardOpen);
    map.on("popupclose", onCardClose);
  };

  /* Project cards as dialogs: focus moves to the card's heading once it is there, Escape
     and the close button close it, and focus goes back to what opened it (a marker, a
     button of the list). */
  var opener = null;
  var CLOSE_LABEL = "Fermer la fiche";
  function cardHeading(popup) {
    var root = popup.getElement();
    return root && root.querySelector(".wm-popup-title");
  }
  /* Once its content is in, a card is moved wholly into the map (Leaflet pans for the
     « Chargement… » placeholder, and stops that pan when the content arrives), and the
     page scrolls to the map when the card is out of the window (opened from the list
     below the map on a phone). Public API only: panBy, scrollBy. */
  function showCard(popup, root) {
    var box = W.map.getContainer().getBoundingClientRect(), card = root.getBoundingClientRect();
    var topLeft = L.point(popup.options.autoPanPaddingTopLeft || POPUP.autoPanPadding);
    var bottomRight = L.point(popup.options.autoPanPaddingBottomRight || POPUP.autoPanPadding), dx = 0, dy = 0;
    if (card.right > box.right - bottomRight.x) dx = card.right - (box.right - bottomRight.x);
    if (card.left - dx < box.left + topLeft.x) dx = card.left - (box.left + topLeft.x);
    if (card.bottom > box.bottom - bottomRight.y) dy = card.bottom - (box.bottom - bottomRight.y);
    if (card.top - dy < box.top + topLeft.y) dy = card.top - (box.top + topLeft.y);
    if (dx || dy) W.map.panBy([dx, dy], { animate: !W.reducedMotion });
    if (W.foldLayersOver) {
      W.foldLayersOver({ left: card.left - dx, right: card.right - dx, top: card.top - dy, bottom: card.bottom - dy });
    }
    if (card.top - dy < 0 || card.bottom - dy > window.innerHeight) {
      window.scrollBy({ top: card.top - dy - 8, left: 0 });  // its title at the window's top
    }
  }
  function focusCard(popup) {
    var root = popup.getElement(), heading = cardHeading(popup);
    if (!root || !W.map.hasLayer(popup)) return;
    showCard(popup, root);
    // The map may still be moving to the project (openProject's animated zoom): once more
    // where it stops (a no-op when the card is already in) — within a second, never when
    // the reader later moves the map away from an open card.
    var settling = Date.now() + 1000;
    W.map.once("moveend", function () {
      if (Date.now() < settling && W.map.hasLayer(popup)) showCard(popup, root);
    });
    if (heading) {
      heading.id = heading.id || "fiche-titre-" + L.Util.stamp(popup);
      heading.setAttribute("tabindex", "-1");
      root.setAttribute("aria-labelledby", heading.id);
      root.removeAttribute("aria-label");
      heading.focus({ preventScroll: true });
    }
  }
  W.focusCard = focusCard;
  /* A card fits the map it opens on: never wider (a 360 px card was cut on both sides of a
     320 px phone's map) nor taller (its text scrolls), and panned clear of the controls at
     the map's top (zoom, the embed's search), which covered its title, and at its bottom
     (the folded « Couches » button covered its last lines on a phone). An unfolded layer
     list does not count: a card that would open under it folds it (showCard). Set as it
     is added to the map, before Leaflet's first layout and pan. */
  var CARD_MARGINS = 48;  // .leaflet-popup-content's side margins and the wrapper's border
  function fitCard(popup, map) {
    var options = popup.options, box = map.getContainer().getBoundingClientRect();
    var padding = L.point(POPUP.autoPanPadding), top = padding.y;
    options.maxWidth = Math.max(120, Math.min(POPUP.maxWidth, box.width - 2 * padding.x - CARD_MARGINS));
    options.minWidth = Math.min(POPUP.minWidth, options.maxWidth);
    document.querySelectorAll(".leaflet-top .leaflet-control, .wm-embed-search").forEach(function (control) {
      var r = control.getBoundingClientRect();
      if (r.height && r.bottom > box.top && r.top < box.top + box.height / 3) top = Math.max(top, r.bottom - box.top + 8);
    });
    var bottom = padding.y;
    document.querySelectorAll(".leaflet-bottom .leaflet-control").forEach(function (control) {
      var r = control.getBoundingClientRect();
      if (control.classList.contains("leaflet-control-layers-expanded")) return;
      if (r.height && r.top < box.bottom && r.bottom > box.bottom - box.height / 3) {
        bottom = Math.max(bottom, box.bottom - r.top + 8);
      }
    });
    options.autoPanPaddingTopLeft = [padding.x, top];
    options.autoPanPaddingBottomRight = [padding.x, bottom];
    // Taller than the map (a phone's), its text scrolls inside it (tip and margins: 40 px).
    options.maxHeight = Math.max(120, box.height - top - bottom - 40);
  }
  var CardPopup = L.Popup.extend({
    onAdd: function (map) {
      fitCard(this, map);
      L.Popup.prototype.onAdd.call(this, map);
    },
  });
  /* Every card (a project's, a place's from the search, a region-wide project's). */
  W.cardPopup = function () { return new CardPopup(POPUP); };

  function onCardOpen(event) {
    var popup = event.popup, root = popup.getElement();
    if (!root) return;
    var active = document.activeElement;
    if (active && active !== document.body && !root.contains(active)) opener = active;
    root.setAttribute("role", "dialog");
    root.setAttribute("aria-label", "Fiche du projet");
    var close = root.querySelector(".leaflet-popup-close-button");
    if (close && !close.hasAttribute("data-wm-close")) {  // a marker's popup is opened again and again
      close.setAttribute("data-wm-close", "");
      close.setAttribute("aria-label", CLOSE_LABEL);
      close.setAttribute("title", CLOSE_LABEL);
      // An <a href="#close"> that Space does not press: make it a button for the keyboard.
      close.addEventListener("keydown", function (e) {
        if (e.key === " ") { e.preventDefault(); W.map.closePopup(popup); }
      });
    }
    if (cardHeading(popup)) focusCard(popup);
    else {
      root.setAttribute("tabindex", "-1");  // focus the card while it loads: Escape works at once
      root.focus({ preventScroll: true });
    }
  }
  /* What opened a card, or, when it is gone, the same project's entry in the list of the
     projects in view: opening a card moves the map, which rebuilds that list (listInView). */
  function stillThere(element) {
    if (!element || document.contains(element)) return element;
    var id = element.getAttribute("data-projet");
    return id ? listEntry(id) : null;
  }
  function listEntry(id) {
    return document.querySelector('#projets-en-vue button[data-projet="' + CSS.escape(id) + '"]');
  }
  function onCardClose(event) {
    var root = event.popup.getElement();
    var inside = root && root.contains(document.activeElement);
    var back = stillThere(opener);
    opener = null;
    if (back && (inside || document.activeElement === document.body)) {
      back.focus({ preventScroll: true });
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !W.map || !W.map._popup || !W.map.hasLayer(W.map._popup)) return;
    var root = W.map._popup.getElement(), active = document.activeElement;
    if (root.contains(active) || active === opener || active === document.body ||
        (active && active.hasAttribute && active.hasAttribute("data-projet"))) {
      event.preventDefault();
      W.map.closePopup();
    }
  });

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
    cards[address].then(function (html) { popup.setContent(html); focusCard(popup); },
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

  /* A project's card: the address the page names once, with the project's id in it. */
  function cardUrl(id) {
    var data = W.data();
    return data.cardUrl.replace(data.cardSlot, id);
  }
  var markerCanvas = null;
  var placed = 0;

  function markerCount() {
    var data = W.data(), total = 0;
    Object.keys(data.markers).forEach(function (t) { total += data.markers[t].length; });
    return total;
  }

  /* A marker's card: a popup filled with the card's HTML when it first opens. */
  function bindCard(marker, it) {
    if (!marker.getPopup()) {
      marker.bindPopup(W.cardPopup().setContent("Chargement…"));
      marker.once("popupopen", function () { fillPopup(marker.getPopup(), cardUrl(it.id)); });
    }
    return marker;
  }

  /* A page element per project (a focusable button with its symbol, its card bound). */
  function elementMarker(it) {
    var marker = L.marker([it.lat, it.lon], { icon: W.icon(it), title: it.label, alt: it.label,
                                              keyboard: true, riseOnHover: true });
    bindCard(marker, it);
    marker.on("add", function () {
      var el = marker.getElement();
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", it.label);  // title, theme, approximate, aller vers…
      el.setAttribute("aria-haspopup", "dialog");
      el.setAttribute("data-projet", it.id);
    });
    return marker;
  }

  /* A disc on the markers' one canvas. Its card and its tooltip are bound when first
     needed (a click, a hover, WebMap.openProject): binding them to 2,610 markers took a
     third of the markers' time on a national page. */
  function canvasMarker(it, theme) {
    markerCanvas = markerCanvas || L.canvas({ padding: 0.1 });
    var marker = L.circleMarker([it.lat, it.lon], {
      renderer: markerCanvas, radius: 5, weight: 1.5, color: "#ffffff", fillOpacity: 1,
      fillColor: W.data().themeColors[theme], dashArray: it.kind.indexOf("imprecise") >= 0 ? "2 2" : null,
    });
    return marker;
  }
  function bindOnUse(group) {
    group.on("click", function (event) {
      var marker = event.layer;
      if (!marker.getPopup()) bindCard(marker, marker.project).openPopup();
    });
    group.on("mouseover", function (event) {
      var marker = event.layer;
      if (!marker.getTooltip()) marker.bindTooltip(W.escape(marker.project.title)).openTooltip();
    });
  }

  W.addProjects = function (group, theme) {
    W.themeGroups[theme] = group;
    var onCanvas = markerCount() > W.DOM_MARKERS_MAX;
    if (onCanvas) bindOnUse(group);
    (W.data().markers[theme] || []).forEach(function (it) {
      it.theme = theme;
      var marker = onCanvas ? canvasMarker(it, theme) : elementMarker(it);
      marker.project = it;  // what a marker is of (its card and tooltip, bound on use)
      marker.addTo(group);
      W.markers[it.id] = { marker: marker, group: group };
      placed += 1;
    });
    // How many markers are placed (benchmarks and tests: with canvas markers, no element).
    document.documentElement.setAttribute("data-markers", String(placed));
  };

  /* Filters of the markers (/ only): « aller vers », zone blanche, precision, department
     served; a marker shows when its theme layer is on and it passes them. The list of the
     projects in view follows the map (a text version of what is on screen). */
  var filters = { allerVers: false, zoneBlanche: false, precision: "", departement: "" };
  function passes(it) {
    return (!filters.allerVers || it.allerVers) && (!filters.zoneBlanche || it.zoneBlanche) &&
      (!filters.precision || (filters.precision === "commune") === it.precise) &&
      (!filters.departement || it.departements.indexOf(filters.departement) >= 0);
  }
  function applyFilters() {
    Object.keys(W.data().markers).forEach(function (theme) {
      W.data().markers[theme].forEach(function (it) {
        var entry = W.markers[it.id], shown = passes(it);
        if (shown && !entry.group.hasLayer(entry.marker)) entry.group.addLayer(entry.marker);
        else if (!shown && entry.group.hasLayer(entry.marker)) entry.group.removeLayer(entry.marker);
      });
    });
    listInView();
  }
  var IN_VIEW_MAX = 100;
  var listTimer = null;
  function listInView() {
    var box = document.getElementById("projets-en-vue");
    if (!box || !W.map) return;
    clearTimeout(listTimer);
    listTimer = setTimeout(function () {
      var bounds = W.map.getBounds(), items = [];
      Object.keys(W.data().markers).forEach(function (theme) {
        W.data().markers[theme].forEach(function (it) {
          var entry = W.markers[it.id];
          if (W.map.hasLayer(entry.group) && entry.group.hasLayer(entry.marker) && bounds.contains(entry.marker.getLatLng())) {
            items.push(it);
          }
        });
      });
      items.sort(function (a, b) { return a.title.localeCompare(b.title, "fr"); });
      var nodes = items.slice(0, IN_VIEW_MAX).map(function (it) {
        var li = document.createElement("li"), button = document.createElement("button");
        button.type = "button";
        button.setAttribute("data-projet", it.id);
        button.setAttribute("aria-haspopup", "dialog");
        button.textContent = it.title;
        var theme = document.createElement("span");
        theme.className = "wm-theme-tag";
        theme.textContent = W.data().labels.theme[it.theme];
        li.append(theme, button);
        return li;
      });
      if (items.length > IN_VIEW_MAX) {
        var more = document.createElement("li");
        more.textContent = "… et " + (items.length - IN_VIEW_MAX) + " autres : zoomez pour les voir.";
        nodes.push(more);
      }
      // Rebuilt, the list keeps keyboard focus on the same project's entry.
      var focused = box.contains(document.activeElement) && document.activeElement.getAttribute("data-projet");
      box.replaceChildren.apply(box, nodes);
      var again = focused && listEntry(focused);
      if (again) again.focus({ preventScroll: true });
      document.querySelectorAll("[data-in-view-count]").forEach(function (n) { n.textContent = String(items.length); });
    }, 150);
  }
  W.setupFilters = function () {
    var section = document.querySelector("[data-filters]");
    if (!section) return;
    section.hidden = false;
    var form = section.querySelector("form");
    form.addEventListener("change", function () {
      filters = { allerVers: form.elements.allerVers.checked, zoneBlanche: form.elements.zoneBlanche.checked,
                  precision: form.elements.precision.value, departement: form.elements.departement.value };
      applyFilters();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    W.map.on("moveend overlayadd overlayremove", listInView);
    listInView();
  };

  W.addRegional = function () {
    W.data().regional.forEach(function (it) { W.regional[it.id] = cardUrl(it.id); });
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
      W.map.setView(entry.marker.getLatLng(), Math.max(W.map.getZoom(), 8), { animate: !W.reducedMotion });
      bindCard(entry.marker, entry.marker.project).openPopup();
      return true;
    }
    if (W.regional[id]) {
      var popup = W.cardPopup().setLatLng(W.center).setContent("Chargement…").openOn(W.map);
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
  var titleSuffix = null;  // the page's title after the view's (which changes with it)
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
    }, figures.choropleth, level.parts ? { parts: level.parts, minZoom: level.minZoom, detailZoom: level.detailZoom }
      : { overviewUrl: level.overviewUrl, detailZoom: level.detailZoom });
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
      overviewUrl: data.outlineOverviewUrl, detailZoom: data.detailZoom,
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

  /* Printed, the page shows the server's image of the view (a static copy has the default
     view's only: other views print without it rather than with the wrong one). */
  function printImage(view) {
    var source = document.querySelector("source[data-print-image]");
    if (!source) return;
    var picture = source.parentNode;
    if (source.hasAttribute("data-default-only")) {
      picture.hidden = queryOf(view, "") !== "";
      return;
    }
    var query = queryOf(view, "");
    source.srcset = source.getAttribute("data-base") + (query ? query + "&" : "?") + "largeur=" + source.getAttribute("data-width");
    var legend = document.querySelector("#legende :is(h2, h3)");
    picture.querySelector("img").alt = "Carte imprimée : " + (legend ? legend.textContent : "");
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
    var summary = document.getElementById("resume-vue");
    if (summary) summary.textContent = figures.summary;
    if (titleSuffix !== null) document.title = figures.legend.title + titleSuffix;
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
    printImage(view);
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

  /* The layer control as a disclosure: a real button (« Couches de la carte ») with
     aria-expanded that opens and closes the list, Escape closes it and gives focus back
     to the button; folded at first on small screens (it covered the markers) and in the
     embed. Leaflet's own toggle is an English link that only opens, hidden once open. */
  var NARROW_PX = 600;
  W.disclosure = function (control) {
    var container = control.getContainer(), old = container.querySelector(".leaflet-control-layers-toggle");
    var list = container.querySelector(".leaflet-control-layers-list");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "leaflet-control-layers-toggle wm-layers-toggle";
    button.textContent = "Couches";
    button.setAttribute("title", "Couches de la carte");
    list.id = list.id || "couches-" + L.Util.stamp(control);
    button.setAttribute("aria-controls", list.id);
    container.removeAttribute("aria-haspopup");
    old.replaceWith(button);
    control._layersLink = button;
    function sync() {
      button.setAttribute("aria-expanded", String(container.classList.contains("leaflet-control-layers-expanded")));
    }
    // Folded by choice stays folded: Leaflet re-opens a control made unfolded whenever a
    // layer is added (the choropleth of each new view), unless told it is a folded one.
    function fold() {
      control.options.collapsed = true;
      control.collapse();
      sync();
    }
    L.DomEvent.on(button, "click", function (event) {
      L.DomEvent.stop(event);
      if (container.classList.contains("leaflet-control-layers-expanded")) fold();
      else { control.expand(); sync(); }
    });
    L.DomEvent.on(container, "keydown", function (event) {
      if (event.key === "Escape" && container.classList.contains("leaflet-control-layers-expanded")) {
        L.DomEvent.stop(event);
        fold();
        button.focus();
      }
    });
    // Leaflet's folded control opens on hover and closes on a click on the map: keep the
    // button's state in step.
    L.DomEvent.on(container, "mouseenter mouseleave", function () { setTimeout(sync, 0); });
    W.map.on("click", function () { setTimeout(sync, 0); });
    if (W.map.getSize().x < NARROW_PX) fold();
    sync();
    // A card that would open under the unfolded list folds it (showCard).
    W.foldLayersOver = function (rect) {
      var box = container.getBoundingClientRect();
      if (!container.classList.contains("leaflet-control-layers-expanded")) return;
      if (rect.left < box.right && rect.right > box.left && rect.top < box.bottom && rect.bottom > box.top) fold();
    };
  };

  /* The search field is shown at once; its code (static/search.js, its own versioned file)
     is fetched when the field is first focused, by the keyboard or the pointer: most
     visitors never search. What was typed meanwhile is searched once it has run. */
  function searchOnFirstUse() {
    var box = document.querySelector("[data-search]"), config = W.data().search;
    if (!box || !config || !config.shown) return;
    box.hidden = false;
    var input = box.querySelector("input[role=combobox]");
    input.addEventListener("focus", function () {
      var script = document.createElement("script");
      script.src = config.script;
      script.onload = function () {
        W.setupSearch();
        if (input.value) input.dispatchEvent(new Event("input"));
      };
      script.onerror = function () {
        W.notice(W.map, "Impossible de charger la recherche : vérifiez la connexion puis rechargez la page.");
      };
      document.head.appendChild(script);
    }, { once: true });
  }

  /* Called by the map's script once its layers exist: the first view, then the choices. */
  W.start = function (control) {
    var data = W.data(), firstTitle = data.viewData.legend.title;
    titleSuffix = document.title.indexOf(firstTitle) === 0 ? document.title.slice(firstTitle.length) : null;
    W.control = control;
    W.disclosure(control);
    searchOnFirstUse();
    W.setupFilters();
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
