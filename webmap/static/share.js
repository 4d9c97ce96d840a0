/* « Copier le lien » on a project's page: shown only where the browser can copy. */
(function () {
  "use strict";
  // A static copy's page says its own address, once published wherever it is.
  document.querySelectorAll("input[data-own-address]").forEach(function (field) {
    field.value = window.location.href.split("#")[0];
    document.querySelectorAll("a[data-mail-address='" + field.id + "']").forEach(function (mail) {
      var url = new URL(mail.href);
      mail.href = "mailto:?subject=" + encodeURIComponent(url.searchParams.get("subject") || "") +
        "&body=" + encodeURIComponent(field.value);
    });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status='" + button.getAttribute("data-copy") + "']");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = "Lien copié.";
      }, function () {
        field.select();
        status.textContent = "Copie impossible : le lien est sélectionné, copiez-le avec Ctrl+C.";
      });
    });
  });
})();
