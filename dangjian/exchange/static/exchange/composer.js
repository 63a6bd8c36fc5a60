// The room's composer (message area): the emoji and @nickname buttons insert their text at the cursor of the
// message box; the author's recall button (撤回) goes when its two minutes are over. Without JavaScript the buttons
// stay hidden (people type emoji and @nicknames on their keyboard) and the server refuses a late recall.
(function () {
  "use strict";

  function insertAt(box, text) {
    var start = box.selectionStart, end = box.selectionEnd;
    if (typeof start !== "number") { start = end = box.value.length; }
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    var at = start + text.length;
    box.focus();
    box.setSelectionRange(at, at);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUpComposer(form) {
    var box = form.querySelector("textarea[name=body]");
    if (!box) { return; }
    form.querySelectorAll(".composer-tools details[hidden]").forEach(function (details) {
      details.hidden = false;
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-insert]");
      if (!button || !form.contains(button)) { return; }
      event.preventDefault();
      insertAt(box, button.getAttribute("data-insert"));
    });
  }

  function expireRecalls() {
    var now = Date.now();
    document.querySelectorAll("form.message-recall[data-until]").forEach(function (form) {
      var until = Number(form.getAttribute("data-until")) * 1000;  // seconds since the epoch
      if (!isNaN(until) && until <= now) { form.remove(); }
    });
  }

  function start() {
    var composer = document.getElementById("composer");
    if (composer) { setUpComposer(composer); }
    expireRecalls();
    window.setInterval(expireRecalls, 5000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
