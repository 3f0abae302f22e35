// Live preview for the entry editor: each Markdown field is rendered by the server's own
// renderer shortly after typing stops. Without JavaScript the "Preview" button does the same.
(function () {
  "use strict";
  var DELAY_MS = 400;

  function previewer(form, textarea) {
    var target = document.getElementById(textarea.id + "-preview");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var timer = null;
    var latest = 0;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var asked = ++latest;
        var body = new FormData();
        body.append("text", textarea.value);
        fetch(form.dataset.previewUrl, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
          .then(function (response) { return response.json().catch(function () { return null; }); })
          .then(function (answer) {
            // The answer is HTML sanitised by the server's renderer, or the reason it cannot be
            // rendered (shown as text); older answers are dropped.
            if (!answer || asked !== latest) return;
            if (answer.error) target.textContent = answer.error;
            else target.innerHTML = answer.html;
            if (answer.removed && answer.removed.length) {
              var removed = document.createElement("p");
              removed.className = "removed";
              removed.textContent = "Removed, readers will not see it: " + answer.removed.join(", ");
              target.prepend(removed);
            }
          });
      }, DELAY_MS);
    };
  }

  // After a refused save or test the page opens on the list of problems, whose links lead to the fields.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var form = document.querySelector("form.editor[data-preview-url]");
  if (!form) return;
  form.querySelectorAll("textarea[data-preview]").forEach(function (textarea) {
    if (document.getElementById(textarea.id + "-preview")) {
      textarea.addEventListener("input", previewer(form, textarea));
    }
  });
})();
