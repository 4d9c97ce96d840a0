/* /integrer: live preview and copy of the <iframe> snippet. */
(function () {
  "use strict";
  function escapeAttr(s) {
    return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("integrer-form");
    var snippet = document.getElementById("snippet");
    var preview = document.getElementById("apercu");
    var status = document.getElementById("copie-statut");
    if (!form || !snippet || !preview) return;
    var defaults = { theme: "tous", indicateur: "projets", niveau: "departement", departement: "", legende: "oui" };
    var current = snippet.value;
    var titleMatch = current.match(/title="([^"]*)"/);
    var listMatch = current.match(/<a href="([^"]*)"/);

    function query() {
      var params = new URLSearchParams();
      ["theme", "indicateur", "niveau", "departement", "legende"].forEach(function (name) {
        var value = form.elements[name].value;
        if (value && value !== defaults[name]) params.set(name, value);
      });
      return params.toString();
    }
    function update() {
      var q = query();
      var height = Math.max(300, Math.min(1600, parseInt(form.elements.hauteur.value, 10) || 600));
      var src = form.getAttribute("data-embed-base") + (q ? "?" + q : "");
      snippet.value = '<iframe src="' + escapeAttr(src) + '" title="' + (titleMatch ? titleMatch[1] : "") +
        '" width="100%" height="' + height + '" style="border:0;max-width:100%" loading="lazy" ' +
        'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>\n' +
        '<p><a href="' + (listMatch ? listMatch[1] : "") + '">Liste des projets (version texte de la carte)</a></p>';
      preview.src = form.getAttribute("data-preview-base") + (q ? "?" + q : "");
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
