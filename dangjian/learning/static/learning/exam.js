/* The exam paper: each answer is sent to the server as it is given (the page is also one plain form that works
   without JavaScript), and the clock counts down from the remaining seconds the server rendered. The server keeps
   the time: an answer after the deadline is refused there, whatever this clock says. */
(function () {
  "use strict";
  var form = document.querySelector("[data-exam-form]");
  if (!form) return;
  var url = form.getAttribute("data-answer-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.querySelector("[data-exam-status]");
  var pending = {};
  var handingIn = false;

  function say(fieldset, text) {
    var line = fieldset.querySelector("[data-exam-state]");
    if (line) line.textContent = text;
  }

  function values(fieldset) {
    var out = [];
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (input.type === "text") { if (input.value.trim() !== "") out.push(input.value); }
      else if (input.checked) out.push(input.value);
    });
    return out;
  }

  function send(fieldset) {
    var question = fieldset.getAttribute("data-question");
    var body = new URLSearchParams();
    body.append("question", question);
    values(fieldset).forEach(function (v) { body.append("value", v); });
    say(fieldset, form.getAttribute("data-saving-text"));
    pending[question] = fieldset;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        delete pending[question];
        say(fieldset, form.getAttribute("data-saved-text"));
      } else {
        delete pending[question];
        say(fieldset, result.data.error || "");
        if (status) status.textContent = result.data.error || "";
        if (result.data.timeup) { window.location.reload(); }
      }
    }).catch(function () {
      say(fieldset, form.getAttribute("data-offline-text"));
    });
  }

  function count() {
    var text = form.getAttribute("data-count-text");
    if (!text) return;
    var n = 0;
    form.querySelectorAll("[data-question]").forEach(function (fieldset) { if (values(fieldset).length) n += 1; });
    document.querySelectorAll("[data-exam-count]").forEach(function (line) {
      line.textContent = text.replace("__N__", String(n));
    });
  }

  var timers = {};
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("[data-question]");
    if (fieldset) send(fieldset);
    count();
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") return;
    count();
    var fieldset = event.target.closest("[data-question]");
    if (!fieldset) return;
    var key = fieldset.getAttribute("data-question");
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { send(fieldset); }, 800);
  });
  window.addEventListener("online", function () {
    Object.keys(pending).forEach(function (key) { send(pending[key]); });
  });
  form.addEventListener("submit", function () { handingIn = true; });

  var clock = document.querySelector("[data-exam-clock]");
  if (clock) {
    var ends = Date.now() + parseInt(clock.getAttribute("data-remaining"), 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) {
        clearInterval(timer);
        if (status) status.textContent = form.getAttribute("data-time-up");
        if (!handingIn) { handingIn = true; form.submit(); }
      }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
})();
