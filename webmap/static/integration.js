/* Optional script for a page that frames the map (a CMS that allows scripts): each map frame
   takes the height the map asks for (docs/integration.md). Loaded from the map's own server:
   <script src="https://carte.exemple.gouv.fr/static/integration.js" defer></script> */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : null;
  if (!origin) return;

  function mapFrames() {
    return Array.prototype.filter.call(document.querySelectorAll("iframe[src]"), function (frame) {
      try { return new URL(frame.src, document.baseURI).origin === origin; } catch { return false; }
    });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "webmap:height" || typeof data.height !== "number") return;
    mapFrames().forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.setAttribute("height", String(Math.max(200, Math.min(2000, Math.round(data.height)))));
      }
    });
  });

  function hello() {
    mapFrames().forEach(function (frame) {
      if (frame.contentWindow) frame.contentWindow.postMessage({ type: "webmap:hello" }, "*");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", hello);
  else hello();
})();
