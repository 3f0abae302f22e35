// Small improvements on pages that work without JavaScript: copy buttons on commands, the
// diagnosis form's keyboard shortcut, file drop and remembered log, and focus on the result.
(function () {
  "use strict";

  // A shell prompt at the start of a line: "$ ", "(.venv) $ ", "> ", "PS> ", "PS C:\x> ", "C:\x> ".
  var PROMPT = /^\s*(?:\([^()]*\)\s*)?(?:\$|PS(?: [^>]*)?>|[A-Za-z]:\\[^>]*>|>(?!>))\s+/;
  // A line that goes on on the next one: bash "\", cmd "^", PowerShell "`".
  var CONTINUED = /(?:\\|\^|`)\s*$/;

  // The commands of a block, without prompts and output lines; a block without any prompt is
  // copied whole (a quick fix, a requirements file).
  function commandsIn(text) {
    var lines = text.replace(/\n$/, "").split("\n");
    if (!lines.some(function (line) { return PROMPT.test(line); })) return text.replace(/\n$/, "");
    var commands = [];
    var continuing = false;
    lines.forEach(function (line) {
      if (continuing) {
        commands.push(line);
      } else if (PROMPT.test(line)) {
        commands.push(line.replace(PROMPT, ""));
      } else {
        return;
      }
      continuing = CONTINUED.test(line);
    });
    return commands.join("\n");
  }

  function announcer() {
    var region = document.createElement("p");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    document.body.appendChild(region);
    return function (message) { region.textContent = message; };
  }

  function shortened(text) {
    var first = text.split("\n")[0];
    return first.length > 60 ? first.slice(0, 57) + "…" : first;
  }

  function addCopyButton(block, announce) {
    var code = block.querySelector("code") || block;
    // data-copy="whole": Markdown or a link, where a line starting with ">" is not a prompt.
    var commands = block.dataset.copy === "whole" ? code.textContent.replace(/\n$/, "") : commandsIn(code.textContent);
    var bar = document.createElement("div");
    var button = document.createElement("button");
    bar.className = "code-bar";
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", (block.dataset.copy === "whole" ? "Copy: " : "Copy command: ") + shortened(commands));
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(commands).then(function () {
        button.textContent = "Copied";
        announce("Copied: " + shortened(commands));
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
    bar.appendChild(button);
    block.parentNode.insertBefore(bar, block);
  }

  function addCopyButtons() {
    if (!navigator.clipboard) return;
    var announce = announcer();
    document.querySelectorAll(".entry .highlight pre, pre.copyable").forEach(function (block) {
      var text = (block.querySelector("code") || block).textContent;
      if (block.classList.contains("copyable") || text.split("\n").some(function (line) { return PROMPT.test(line); })) {
        addCopyButton(block, announce);
      }
    });
  }

  function acceptDroppedFiles(form) {
    var zone = form.querySelector(".drop-zone");
    var fileInput = document.getElementById("id_upload");
    var status = document.getElementById("drop-status");
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
        sayWhatIsRead(fileInput, status);
      }
    });
    fileInput.addEventListener("change", function () { sayWhatIsRead(fileInput, status); });
  }

  // A file chosen while the text area holds a paste: the file is read, and the page says so now.
  function sayWhatIsRead(fileInput, status) {
    var pasted = document.getElementById("id_log").value.trim();
    if (!fileInput.files.length) {
      status.textContent = "";
    } else {
      status.textContent = "Ready to diagnose " + fileInput.files[0].name + "." +
        (pasted ? " The file is read instead of the pasted text, which stays in the box." : "");
    }
  }

  // The server does not send a large log back; the browser keeps it for "edit and try again",
  // and after a refusal (too large, too many requests) so the paste is not lost. Laying out a
  // text area of megabytes takes seconds, so a large log comes back only when asked for.
  var RESTORE_AT_ONCE_CHARS = 256 * 1024;

  function rememberLog(form, textarea) {
    form.addEventListener("submit", function () {
      try { sessionStorage.setItem("kb-log", textarea.value); } catch (full) { /* too big to keep */ }
    });
    var kept = textarea.hasAttribute("data-restore-log") && !textarea.value && sessionStorage.getItem("kb-log");
    if (!kept) return;
    if (kept.length <= RESTORE_AT_ONCE_CHARS) {
      textarea.value = kept;
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Put my log back in the form";
    button.addEventListener("click", function () {
      textarea.value = kept;
      button.remove();
      textarea.focus();
    });
    textarea.parentNode.insertBefore(button, textarea);
  }

  function submitWithControlEnter(form, textarea) {
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  // The form posts to "#summary-heading", so browsers move there by themselves; this covers
  // those that scroll without focusing, and leaves a link to a log line ("#L12") alone.
  function focusTheDiagnosis() {
    var heading = document.getElementById("summary-heading");
    if (heading && (!location.hash || location.hash === "#summary-heading")) heading.focus();
  }

  addCopyButtons();
  var form = document.getElementById("diagnose-form");
  var textarea = document.getElementById("id_log");
  if (form && textarea) {
    acceptDroppedFiles(form);
    rememberLog(form, textarea);
    submitWithControlEnter(form, textarea);
  }
  focusTheDiagnosis();
})();
