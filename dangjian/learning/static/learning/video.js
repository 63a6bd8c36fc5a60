/* A lesson's video: the playback position is kept on this phone only (localStorage), so that a reload or a dropped
   connection comes back to it; the server hears nothing of the watching except, at the end, "played to the end". */
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video) return;
  var key = video.getAttribute("data-position-key");
  var saved = 0;
  try { saved = parseFloat(window.localStorage.getItem(key) || "0") || 0; } catch (e) { saved = 0; }
  var lastSaved = 0;

  function save(force) {
    var now = Date.now();
    if (!force && now - lastSaved < 1000) return;
    lastSaved = now;
    try { window.localStorage.setItem(key, String(video.currentTime)); } catch (e) { /* storage full or off */ }
  }

  function restore() {
    if (saved > 1 && (!video.duration || saved < video.duration - 1)) {
      video.currentTime = saved;
      var note = document.getElementById("video-resumed");
      if (note) note.hidden = false;
    }
    saved = 0;
  }

  if (video.readyState >= 1) restore(); else video.addEventListener("loadedmetadata", restore, { once: true });
  video.addEventListener("timeupdate", function () { save(false); });
  video.addEventListener("pause", function () { save(true); });
  video.addEventListener("seeked", function () { save(true); });
  window.addEventListener("pagehide", function () { save(true); });

  video.addEventListener("ended", function () {
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    var url = video.getAttribute("data-done-url");
    var form = document.getElementById("done-form");
    if (!url || !form) return;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) return;
      form.hidden = true;
      var status = document.getElementById("done-status");
      if (status) status.hidden = false;
      video.removeAttribute("data-done-url");
    }).catch(function () { /* offline: the button is still there */ });
  });
})();
