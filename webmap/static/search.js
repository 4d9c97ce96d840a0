/* The map's search: communes (as people write them), postal codes, intercommunalities,
   departments and projects, from one static file (/donnees/recherche.json, written by
   webmap/mapview/search.py), fetched the first time the field is used. A combobox of the ARIA
   1.2 pattern: arrows move in the list, Enter chooses, Escape closes then clears. A place
   chosen is framed, outlined, and its summary opens as a card; a project opens its card.
   `normalize` is the gazetteer's (webmap/places/gazetteer.py; shared vectors:
   tests/vectors/normalize.json, checked by tests/js/search.test.js and Python). */
/* global module */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.WebMap = root.WebMap || {};
    root.WebMap.searchCore = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /* Lower case, no accents, punctuation as spaces, « St »/« Ste » spelled out, « s/ » as
     « sur » — as webmap.places.gazetteer.normalize. */
  function normalize(text) {
    var t = String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/œ/g, "oe").replace(/æ/g, "ae")
      .replace(/\bs\/\s*/g, "sur ")
      .replace(/[^a-z0-9]+/g, " ").trim();
    if (!t) return "";
    return t.split(" ").map(function (w) { return w === "st" ? "saint" : w === "ste" ? "sainte" : w; }).join(" ");
  }

  /* How well `key` answers `query` (both normalized), best first: 0 the same; 1 it starts
     with the query's whole words; 2 it starts with the query; 3 every word of the query is a
     word of the key; 4 every word of the query starts a word of the key; -1 not at all. So
     « bus » gives the commune of Bus, then « Bus Accs'Aisne », then Busigny. */
  function score(key, query) {
    if (key === query) return 0;
    if (key.indexOf(query + " ") === 0) return 1;
    if (key.indexOf(query) === 0) return 2;
    var words = key.split(" "), asked = query.split(" ");
    if (asked.every(function (q) { return words.indexOf(q) >= 0; })) return 3;
    var all = asked.every(function (q) {
      return words.some(function (w) { return w.indexOf(q) === 0; });
    });
    return all ? 4 : -1;
  }

  /* The best `limit` entries for `text`: by score, then in the index's order (communes,
     EPCI, departments by population, then projects). */
  function search(entries, text, limit) {
    var query = normalize(text);
    if (!query) return [];
    var found = [];
    for (var i = 0; i < entries.length; i++) {
      var best = -1, keys = entries[i][3];
      for (var k = 0; k < keys.length; k++) {
        var s = score(keys[k], query);
        if (s >= 0 && (best < 0 || s < best)) best = s;
        if (best === 0) break;
      }
      if (best >= 0) found.push([best, i]);
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.slice(0, limit || 8).map(function (f) { return entries[f[1]]; });
  }

  return { normalize: normalize, search: search };
});

(function () {
  "use strict";
  if (typeof window === "undefined" || !window.L) return;
  var W = window.WebMap;
  var LIMIT = 8;
  var index = null, loaded = null, bundles = {}, selection = null;

  function slot(template, values) {
    return Object.keys(values).reduce(function (text, name) {
      return text.replace("__" + name + "__", encodeURIComponent(values[name]));
    }, template);
  }

  function load(address) {
    return fetch(address, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(address + " : " + r.status);
      return r.json();
    });
  }

  function loadIndex() {
    index = index || load(W.data().search.index).then(function (got) { loaded = got; return got; });
    index.catch(function () { index = null; });
    return index;
  }

  function plural(n, one, many) { return W.formatNumber(n, 0) + " " + (n > 1 ? many : one); }

  /* A place's summary as a card (every text escaped: names come from the data). */
  function card(entry, place, titles) {
    var data = W.data(), themes = data.labels.theme, e = W.escape;
    var counts = ["local", "departemental", "regional"].map(function (c) {
      var n = 0;
      Object.keys(place.serving[c]).forEach(function (t) { n += place.serving[c][t].length; });
      return n;
    });
    var html = '<article class="wm-popup wm-territory-card" lang="fr">' +
      '<p class="wm-popup-theme">' + e(loaded.kinds[place.kind]) + "</p>" +
      '<h3 class="wm-popup-title">' + e(place.name) + "</h3>" +
      "<p>" + plural(place.population, "habitant", "habitants") +
      (place.communes > 1 ? ", " + plural(place.communes, "commune", "communes") : "") + ".</p>" +
      "<p><strong>Projets qui servent ce territoire :</strong> " + plural(counts[0], "local", "locaux") + ", " +
      plural(counts[1], "départemental", "départementaux") + ", " + plural(counts[2], "régional", "régionaux") + ".</p>" +
      "<p><strong>Projet local le plus proche :</strong></p><ul>";
    place.nearest.forEach(function (n) {
      html += "<li>" + e(themes[n.theme]) + " : " + (n.project_id === null ? "aucun dans la région"
        : e(titles[n.project_id]) + " (" + (n.km === 0 ? "sur place" : W.formatNumber(n.km, 1) + " km") + ")") + "</li>";
    });
    html += "</ul>";
    if (place.aller_vers.length) {
      html += "<p><strong>« Aller vers » :</strong> " + place.aller_vers.map(function (id) { return e(titles[id]); })
        .join(" ; ") + "</p>";
    }
    if (data.search.pageKinds.indexOf(place.kind) >= 0) {
      var page = slot(data.search.page, { kind: place.kind, code: place.code });
      html += '<p class="wm-popup-links"><a href="' + e(page) + '" target="_top">Tout ce qui sert ce territoire</a></p>';
    }
    return html + "</article>";
  }

  /* Frame the place, outline it (its own polygon, from the level's files), open its summary. */
  function choosePlace(entry) {
    var data = W.data(), map = W.map, kind = entry[1], typed = entry[2], code = typed.split(":")[1];
    var box = entry[4], bounds = L.latLngBounds([box[0], box[1]], [box[2], box[3]]);
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12, animate: !W.reducedMotion });
    if (selection) map.removeLayer(selection);
    var level = data.levels[kind];
    selection = W.polygonLayer(level.url || "", L.Util.extend({
      key: "selection", label: entry[0], interactive: false, onlyCodes: [code],
      order: data.drawOrder.outline + 1, style: { color: "#161616", weight: 3.5, fill: false },
    }, level.parts ? { parts: level.parts, detailZoom: level.detailZoom } : {})).addTo(map);
    var dep = entry[5];
    bundles[dep] = bundles[dep] || load(slot(data.search.bundle, { dep: dep }));
    var popup = W.cardPopup()
      .setLatLng(bounds.getCenter()).setContent("Chargement…").openOn(map);
    bundles[dep].then(function (bundle) {
      var place = bundle.places[typed];
      popup.setContent(place ? card(entry, place, bundle.titles) : "Résumé indisponible.");
      W.focusCard(popup);
    }, function () {
      delete bundles[dep];
      popup.setContent("Résumé indisponible : vérifiez la connexion puis réessayez.");
    });
  }

  function choose(entry) {
    if (entry[1] === "projet") W.openProject(entry[2]);
    else choosePlace(entry);
  }

  function describe(entry) {
    if (entry[1] === "projet") return "Projet · " + loaded.themes[entry[4]];
    var postal = entry[1] === "commune" ? entry[3].filter(function (k) { return /^\d{5}$/.test(k); }) : [];
    return loaded.kinds[entry[1]] + (postal.length ? " · " + postal.join(", ") : "");
  }

  W.setupSearch = function () {
    var box = document.querySelector("[data-search]");
    if (!box || !W.data().search || !W.data().search.shown) return;
    var input = box.querySelector("input[role=combobox]"), list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-search-status]");
    var results = [], active = -1, token = 0, announce = null;
    box.hidden = false;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute("aria-selected", String(k === i)); });
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", list.children[i].id);
        list.children[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function render() {
      list.replaceChildren.apply(list, results.map(function (entry, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.className = "wm-search-name";
        name.textContent = entry[0];
        var kind = document.createElement("span");
        kind.className = "wm-search-kind";
        kind.textContent = describe(entry);
        li.append(name, kind);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
        li.addEventListener("click", function () { pick(i); });
        return li;
      }));
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", String(results.length > 0));
      active = -1;
      input.removeAttribute("aria-activedescendant");
      clearTimeout(announce);
      announce = setTimeout(function () {
        status.textContent = input.value.trim() ? (results.length ? plural(results.length, "résultat", "résultats") +
          ", flèche bas pour les parcourir." : "Aucun résultat.") : "";
      }, 400);
    }
    function pick(i) {
      var entry = results[i];
      if (!entry) return;
      input.value = entry[0];
      close();
      status.textContent = entry[0] + " : " + describe(entry) + ".";
      choose(entry);
    }
    function update() {
      var mine = ++token, text = input.value;
      loadIndex().then(function (got) {
        if (mine !== token) return;
        results = W.searchCore.search(got.entries, text, LIMIT);
        render();
      }, function () {
        status.textContent = "Recherche indisponible : vérifiez la connexion puis réessayez.";
      });
    }
    input.addEventListener("focus", loadIndex);
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { update(); return; }
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Not in a <form>: nothing to submit (a sandboxed frame logs an error for that).
        if (open && results.length) { event.preventDefault(); pick(active >= 0 ? active : 0); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); event.stopPropagation(); close(); }
        else if (input.value) { event.preventDefault(); input.value = ""; status.textContent = ""; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    // This script is fetched on the field's first focus (webmap.js): the index too, then.
    if (document.activeElement === input) loadIndex();
  };
})();
