/* Text helpers shared by the map scripts: HTML escaping and French numbers, written like
   webmap/analysis/french.py (same test vectors: tests/vectors/numbers.json, checked by
   tests/js/format.test.js and tests/test_vocabulary.py). One module for the browser
   (WebMap.escape, WebMap.formatNumber) and Node. */
/* global module */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.WebMap = root.WebMap || {};
    root.WebMap.escape = api.escape;
    root.WebMap.formatNumber = api.formatNumber;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  /* toFixed rounds ties away from zero on the exact binary value (as the Python side's
     Decimal ROUND_HALF_UP); thousands take a narrow no-break space; never "-0". */
  function formatNumber(value, decimals) {
    var text = Number(value).toFixed(decimals || 0);
    if (/^-[0.]*$/.test(text)) text = text.slice(1);
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return parts.join(",");
  }

  return { escape: escape, formatNumber: formatNumber };
});
