/* The embed (/embed) and the page that frames it: height and readiness messages, and links
   that a sandboxed frame cannot open itself. Two protocols (docs/integration.md):
   - WordPress's (wp-embed.js): with "#?secret=…" in the frame's address, {message: "height",
     value, secret} and {message: "link", value, secret}; answered again on {message: "ready"};
   - ours, for any host: {type: "webmap:height", height} and {type: "webmap:ready"}, read by
     static/integration.js; answered again on {type: "webmap:hello"}. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var found = /[#&?]secret=([A-Za-z0-9]{1,64})/.exec(window.location.hash);
  var secret = found && found[1];
  var LEGEND_MARGIN = 140;  // map left visible above an open legend, in px
  var last = null;

  function send(message) { window.parent.postMessage(message, "*"); }

  /* The height the embed asks for: `hauteur` from its address (or the default), enough to
     show an open legend with some map above it, within the bounds /integrer offers. */
  function wanted() {
    var body = document.body.dataset;
    var min = Number(body.heightMin), max = Number(body.heightMax);
    var asked = parseInt(new URLSearchParams(window.location.search).get("hauteur"), 10) || Number(body.heightDefault);
    var legend = document.querySelector(".wm-embed-legend[open]");
    var needed = legend ? legend.scrollHeight + LEGEND_MARGIN : 0;
    return Math.max(min, Math.min(max, Math.max(asked, needed)));
  }

  function sendHeight(always) {
    var height = wanted();
    if (height === last && !always) return;
    last = height;
    if (secret) send({ message: "height", value: height, secret: secret });
    send({ type: "webmap:height", height: height });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data) return;
    var data = event.data;
    if ((secret && data.message === "ready" && data.secret === secret) || data.type === "webmap:hello") sendHeight(true);
  });
  function ready() {
    send({ type: "webmap:ready" });
    sendHeight(true);
  }
  document.addEventListener("webmap:ready", ready);
  // This deferred script can run after the map is already drawn (the map's own script is
  // not deferred and its data can come first on a slow link): say it now, then.
  if (document.documentElement.getAttribute("data-ready") === "1") ready();
  window.addEventListener("resize", function () { sendHeight(false); });
  document.addEventListener("toggle", function () { sendHeight(false); }, true);  // the legend opened or closed

  /* WordPress's sandbox allows no new window and no navigation of the page: links go
     through wp-embed.js, which opens them in the page when they lead to the map's site. */
  if (secret) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.defaultPrevented) return;
      event.preventDefault();
      send({ message: "link", value: link.href, secret: secret });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { sendHeight(true); });
  } else {
    sendHeight(true);
  }
})();
