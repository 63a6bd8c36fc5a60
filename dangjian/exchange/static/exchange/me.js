/* The person's own channel (/ws/me/, live area): the unread badges of 我的群聊 follow without a reload, and a
   notice (e.g. someone mentioned you) is announced in #me-notice (aria-live). Loaded only for a signed-in person
   when the pages know where the socket server is (REALTIME_URL); #me-live carries its address and the words.
   Reconnects with back-off (1 s doubling to 30 s); a server that is down changes nothing on the page. Text nodes
   only, never HTML. */
(function () {
  "use strict";
  var root = document.getElementById("me-live");
  if (!root || !window.WebSocket || !window.JSON) return;
  var url = root.getAttribute("data-socket");
  if (!url) return;
  var tUnread = root.getAttribute("data-t-unread") || "__n__";
  var tTotal = root.getAttribute("data-t-total") || "__n__";
  var notice = document.getElementById("me-notice");
  var socket = null;
  var delay = 1000;
  var stopped = false;

  function each(selector, fn) {
    var found = document.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) fn(found[i]);
  }

  function showCounts(frame) {
    var rooms = frame.rooms || {};
    each("[data-room-unread]", function (badge) {
      var n = rooms[badge.getAttribute("data-room-unread")];
      if (typeof n !== "number") n = 0; // the frame names only rooms with something unread
      badge.textContent = n ? tUnread.replace("__n__", String(n)) : "";
      badge.hidden = !n;
    });
    each("[data-unread-total]", function (total) {
      var n = typeof frame.total === "number" ? frame.total : 0;
      var none = total.getAttribute("data-t-none") || "";
      total.textContent = n ? tTotal.replace("__n__", String(n)) : none;
      total.hidden = !n && !none;
    });
  }

  function showNotice(frame) {
    if (!notice || !frame.text) return;
    notice.textContent = "";
    var link = String(frame.url || "");
    if (link.charAt(0) === "/" && link.charAt(1) !== "/") {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = frame.text;
      notice.appendChild(a);
    } else {
      notice.appendChild(document.createTextNode(frame.text));
    }
  }

  function retry() {
    if (stopped) return;
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function connect() {
    if (stopped) return;
    try {
      socket = new WebSocket(url + "/ws/me/");
    } catch (error) {
      retry();
      return;
    }
    socket.onopen = function () {
      delay = 1000;
      root.setAttribute("data-live", "1");
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (!frame || typeof frame !== "object") return;
      if (frame.type === "unread") showCounts(frame);
      else if (frame.type === "notify") showNotice(frame);
    };
    socket.onerror = function () {}; // onclose follows and says what to do
    socket.onclose = function (event) {
      root.setAttribute("data-live", "0");
      if (event.code >= 4400 && event.code < 4500) return; // signed out: refused for good
      retry();
    };
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) socket.close();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      stopped = false;
      connect();
    }
  });
  connect();
})();
