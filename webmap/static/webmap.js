/* webmap: the few behaviours Folium has no element for (served by the app, no CDN). */
(function () {
  "use strict";
  var W = (window.WebMap = window.WebMap || {});
  W.markers = {};
  W.regional = {};
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

  W.addProjects = function (group, theme) {
    (W.data().markers[theme] || []).forEach(function (it) {
      var marker = L.marker([it.lat, it.lon], {
        icon: W.icon(it), title: it.title, alt: it.title,
        keyboard: true, riseOnHover: true,
      });
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
    });
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
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });
})();
