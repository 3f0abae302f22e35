// Small improvements on pages that work without JavaScript: copy buttons on code blocks,
// and dropping a log file onto the diagnosis form.
(function () {
  "use strict";

  function addCopyButtons() {
    document.querySelectorAll(".entry .highlight, pre.copyable").forEach(function (block) {
      var code = block.querySelector("code") || block;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(code.innerText.replace(/^\$ /gm, "")).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
      block.style.position = "relative";
      block.appendChild(button);
    });
  }

  function acceptDroppedFiles() {
    var zone = document.querySelector(".drop-zone");
    var fileInput = document.getElementById("id_upload");
    if (!zone || !fileInput) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer.files.length) {
        fileInput.files = event.dataTransfer.files;
        zone.querySelector(".help").textContent = "Ready to diagnose " + event.dataTransfer.files[0].name + ".";
      }
    });
  }

  addCopyButtons();
  acceptDroppedFiles();
})();
