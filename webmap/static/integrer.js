/* /integrer: live preview and copy of the <iframe> snippet. The snippet itself is written by
   the server (webmap/web/snippet.py) as a template with two slots, in the page's data
   island; this script only fills them with the chosen view. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("integrer-form");
    var snippet = document.getElementById("snippet");
    var preview = document.getElementById("apercu");
    var status = document.getElementById("copie-statut");
    var island = document.getElementById("integrer-data");
    if (!form || !snippet || !preview || !island) return;
    var builder = JSON.parse(island.textContent);

    function query() {
      var params = new URLSearchParams();
      builder.params.forEach(function (param) {
        var value = form.elements[param[0]].value;
        if (value && value !== param[1]) params.set(param[0], value);
      });
      return params.toString();
    }
    function update() {
      var q = query();
      var asked = parseInt(form.elements.hauteur.value, 10) || builder.defaultHeight;
      var height = Math.max(builder.minHeight, Math.min(builder.maxHeight, asked));
      // The height the map asks its host page for (static/frame.js), as snippet.embed_url.
      var srcQuery = q + (height !== builder.defaultHeight ? (q ? "&" : "") + "hauteur=" + height : "");
      var src = builder.embedBase + (srcQuery ? "?" + srcQuery : "");
      snippet.value = builder.template.split(builder.srcSlot).join(WebMap.escape(src))
        .split(builder.heightSlot).join(String(height));
      preview.src = builder.previewBase + (q ? "?" + q : "");
      preview.height = String(height);
      history.replaceState(null, "", "?" + (q ? q + "&" : "") + "hauteur=" + height);
    }
    form.addEventListener("change", update);
    document.getElementById("copier").addEventListener("click", function () {
      snippet.select();
      var done = function () { status.textContent = "Code copié."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(snippet.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
