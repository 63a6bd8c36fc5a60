/* The room, live (issue 15): the page from exchange/room.html keeps working without this script; with it, the
   page opens a WebSocket to #room[data-socket] and
   - keeps the highest rev it has seen; on every (re)connect, and whenever a rev is skipped, asks the server for
     what came after it ({"type": "since"}), so nothing the server stored is missed;
   - adds or replaces one <li> per message, built like exchange/_message.html, with text nodes only (never HTML);
   - sends the composer over the socket while it is open (the normal form POST otherwise, and for files);
   - tells the server what has been read while the page is visible;
   - after a drop shows "connection lost, reconnecting" and tries again, waiting longer each time (at most 30 s).
   No presence of anybody is shown or sent. */
(function () {
  "use strict";
  var room = document.getElementById("room");
  var list = document.getElementById("messages");
  // A room opens at its newest message (the composer's place), unless a link asks for one message (#m<id>) or
  // the page shows earlier messages (?before=).
  if (list && list.lastElementChild && !/^#m\d+$/.test(location.hash) && !/[?&]before=/.test(location.search)) {
    // The composer sits right below the newest message: showing it shows both.
    (document.getElementById("composer") || list.lastElementChild).scrollIntoView({ block: "end" });
  }
  if (!room || !list || !room.getAttribute("data-socket") || !("WebSocket" in window)) return;

  var texts = room.dataset;
  var composer = document.getElementById("composer");
  var status = document.getElementById("room-status");
  var rev = parseInt(texts.rev, 10) || 0;
  var readRev = 0;
  var socket = null;
  var delay = 1000;
  var asking = false;
  var stopped = false;
  var readTimer = null;

  function showStatus(text, alert) {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
    status.className = "room-status" + (alert ? " room-status-error" : "");
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function ask() {
    if (asking) return;
    asking = send({ type: "since", after: rev });
  }

  function seen(r) {
    if (r <= rev) return;
    if (r === rev + 1) rev = r;
    else ask(); // a gap: something between was not brought; the database has it
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function withBreaks(node, text) {
    text.split("\n").forEach(function (line, i) {
      if (i) node.appendChild(document.createElement("br"));
      node.appendChild(document.createTextNode(line));
    });
    return node;
  }

  function build(m) {
    var li = el("li", "message message-" + m.state + (m.official ? " message-official" : ""));
    li.id = "m" + m.id;
    li.setAttribute("data-id", m.id);
    li.setAttribute("data-rev", m.rev);
    var meta = el("p", "message-meta");
    meta.appendChild(el("span", "message-author", m.nickname));
    if (m.official) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("span", "badge", texts.tOfficial));
    }
    meta.appendChild(document.createTextNode(" "));
    var time = el("time", "", m.time);
    time.setAttribute("datetime", m.created_at);
    meta.appendChild(time);
    li.appendChild(meta);
    if (m.state === "recalled") {
      li.appendChild(el("p", "message-gone", (texts.tRecalled || "").replace("__name__", m.nickname)));
      return li;
    }
    if (m.state === "removed") {
      li.appendChild(el("p", "message-gone", texts.tRemoved));
      return li;
    }
    if (m.state === "held") li.appendChild(el("p", "message-held", texts.tHeld));
    if (m.reply_to) {
      li.appendChild(el("blockquote", "message-reply", m.reply_to.nickname + ": " + (m.reply_to.excerpt || texts.tGone)));
    }
    if (m.image) {
      var link = el("a", "message-image");
      link.href = m.image;
      var img = el("img");
      img.src = m.image + "?thumb=1";
      img.alt = texts.tPicture || "";
      link.appendChild(img);
      li.appendChild(link);
    }
    if (m.file) {
      var file = el("a", "message-file", m.file.name);
      file.href = m.file.url;
      li.appendChild(file);
    }
    if (m.body) li.appendChild(withBreaks(el("p", "message-body"), m.body));
    if (m.state === "published" && composer) li.appendChild(actionsFor(m));
    return li;
  }

  // The same actions as _message.html draws: reply, report (others' messages), recall (one's own, in time).
  function actionsFor(m) {
    var box = el("div", "message-actions");
    var reply = el("a", "message-reply-link", texts.tReply);
    reply.href = "?reply=" + m.id + "#composer";
    box.appendChild(reply);
    var mine = String(m.author) === String(room.getAttribute("data-me"));
    if (!mine) {
      var report = el("a", "message-report", texts.tReport);
      report.href = "/rooms/messages/" + m.id + "/report/";
      report.rel = "nofollow";
      box.appendChild(report);
    } else {
      var until = Date.parse(m.created_at) / 1000 + (parseInt(texts.recallSeconds, 10) || 0);
      var token = composer.querySelector("input[name=csrfmiddlewaretoken]");
      if (token && until > Date.now() / 1000) {
        var form = el("form", "message-recall");
        form.method = "post";
        form.action = "/rooms/messages/" + m.id + "/recall/";
        form.setAttribute("data-until", String(Math.floor(until)));
        var hidden = el("input");
        hidden.type = "hidden";
        hidden.name = "csrfmiddlewaretoken";
        hidden.value = token.value;
        form.appendChild(hidden);
        var button = el("button", "link", texts.tRecall);
        button.type = "submit";
        form.appendChild(button);
        box.appendChild(form);
      }
    }
    return box;
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
  }

  function apply(m, own) {
    var fresh = build(m);
    var old = document.getElementById("m" + m.id);
    if (old) {
      if ((parseInt(old.getAttribute("data-rev"), 10) || 0) > m.rev) return;
      old.replaceWith(fresh);
      return;
    }
    var follow = own || nearBottom();
    var after = null;
    var items = list.children;
    for (var i = items.length - 1; i >= 0; i--) {
      if ((parseInt(items[i].getAttribute("data-id"), 10) || 0) < m.id) break;
      after = items[i];
    }
    list.insertBefore(fresh, after);
    if (follow) fresh.scrollIntoView({ block: "end" });
  }

  function markRead() {
    if (readTimer) return;
    readTimer = setTimeout(function () {
      readTimer = null;
      if (document.visibilityState === "visible" && rev > readRev && send({ type: "read", rev: rev })) readRev = rev;
    }, 500);
  }

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function field(name) {
    return composer ? composer.querySelector("[name=" + name + "]") : null;
  }

  function handle(f) {
    if (f.type === "message") {
      apply(f.message, false);
      seen(f.message.rev);
      markRead();
    } else if (f.type === "tick") {
      seen(f.rev);
    } else if (f.type === "history") {
      asking = false;
      f.messages.forEach(function (m) { apply(m, false); });
      if (f.last_rev > rev) rev = f.last_rev;
      if (f.more) ask();
      markRead();
    } else if (f.type === "ack") {
      var token = field("client_token");
      if (f.message) apply(f.message, true);
      if (token && f.token && token.value === f.token) {
        var body = field("body");
        if (body) body.value = "";
        var reply = field("reply_to");
        if (reply) reply.value = "";
        token.value = newToken();
        showStatus("");
      }
    } else if (f.type === "error") {
      showStatus(f.message, true);
    }
  }

  function connect() {
    try {
      socket = new WebSocket(room.getAttribute("data-socket"));
    } catch (e) {
      return;
    }
    socket.onopen = function () {
      delay = 1000;
      asking = false;
      showStatus("");
      room.setAttribute("data-live", "1");
      ask();
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      handle(frame);
    };
    socket.onclose = function (event) {
      socket = null;
      asking = false;
      room.setAttribute("data-live", "0");
      if (stopped) return;
      if (event.code >= 4400 && event.code < 4500) return; // refused for good; the error frame said why
      showStatus(texts.tOffline, false);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  if (composer) {
    composer.addEventListener("submit", function (event) {
      var files = composer.querySelectorAll("input[type=file]");
      for (var i = 0; i < files.length; i++) if (files[i].files && files[i].files.length) return; // pages post files
      var body = field("body");
      var reply = field("reply_to");
      var token = field("client_token");
      if (!body || !body.value.trim()) return; // the page says what is missing
      // Too long (pasted past the field's limit): posted as a page, which refuses it with the reason in Chinese,
      // rather than sent as a frame the server would have to refuse.
      var max = parseInt(body.getAttribute("maxlength") || "0", 10);
      if (max && body.value.length > max) return;
      var replyTo = reply && /^\d+$/.test(reply.value) ? parseInt(reply.value, 10) : null;
      if (send({ type: "send", body: body.value, reply_to: replyTo, token: token ? token.value : newToken() })) {
        event.preventDefault();
      }
    });
    var area = field("body");
    if (area) {
      area.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          composer.requestSubmit();
        }
      });
    }
  }

  document.addEventListener("visibilitychange", markRead);
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
