// Small touches on top of htmx; every page works without this file.
(function () {
  "use strict";
  // Ask before destructive buttons (those marked data-confirm).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    var button = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
  // An htmx request the server could not take (busy, too many, refused) swaps nothing, so the
  // member's text stays; say so beside what they used, once, instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status < 403 || status === 404 || status === 422) return;
    var elt = event.detail.elt;
    var box = elt.parentNode && elt.parentNode.querySelector(":scope > .htmx-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "error htmx-error";
      box.setAttribute("role", "alert");
      elt.insertAdjacentElement("afterend", box);
    }
    var wait = event.detail.xhr.getResponseHeader("Retry-After");
    box.textContent = status === 403 ? "That was refused. Reload the page and try again."
      : "That did not go through" + (status === 429 ? " (too many at once)" : "") +
        ". Nothing was lost; try again" + (wait ? " in " + wait + " seconds." : " in a moment.");
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var box = event.detail.elt.parentNode && event.detail.elt.parentNode.querySelector(":scope > .htmx-error");
    if (box) box.remove();
  });
  // After htmx puts a reply form or a new reply on the page, move focus where the member expects.
  // On settle, not swap: if the live stream placed the same reply first, htmx keeps the old
  // element's attributes (no "new" class) until it settles.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var area = target.querySelector && target.querySelector("textarea");
    if (area && target.classList.contains("reply-slot")) { area.focus(); return; }
    var fresh = document.querySelector(".comment.new");
    if (fresh) {
      fresh.setAttribute("tabindex", "-1");
      fresh.focus({ preventScroll: true });
      fresh.scrollIntoView({ block: "nearest" });
      fresh.classList.remove("new");
    }
  });
})();

// @mention autocomplete in any comment or discussion box: type "@" and a few letters,
// pick a member with the arrow keys and Enter (or a click). Without JavaScript, typing
// the name works the same; this only saves looking it up.
(function () {
  "use strict";
  var list = null, box = null, items = [], active = -1, pending = 0;

  function close() {
    if (list) { list.remove(); list = null; }
    if (box) { box.removeAttribute("aria-activedescendant"); box.setAttribute("aria-expanded", "false"); }
    items = []; active = -1;
  }
  function wordBeforeCaret(area) {
    var upto = area.value.slice(0, area.selectionStart);
    var m = /(^|\s)@([A-Za-z0-9_]{1,32})$/.exec(upto);
    return m ? m[2] : null;
  }
  function choose(i) {
    if (!box || i < 0 || i >= items.length) return;
    var area = box, name = items[i].name;
    var caret = area.selectionStart, upto = area.value.slice(0, caret);
    var start = upto.lastIndexOf("@");
    area.value = upto.slice(0, start) + "@" + name + " " + area.value.slice(caret);
    var pos = start + name.length + 2;
    area.setSelectionRange(pos, pos);
    close();
    area.focus();
  }
  function highlight(i) {
    if (!list) return;
    active = i;
    Array.prototype.forEach.call(list.children, function (li, n) {
      li.setAttribute("aria-selected", n === i ? "true" : "false");
    });
    if (box && i >= 0) box.setAttribute("aria-activedescendant", "mention-" + i);
  }
  function show(area, found) {
    close();
    if (!found.length) return;
    box = area; items = found;
    list = document.createElement("ul");
    list.className = "mentions";
    list.id = "mention-list";
    list.setAttribute("role", "listbox");
    found.forEach(function (m, i) {
      var li = document.createElement("li");
      li.id = "mention-" + i;
      li.setAttribute("role", "option");
      li.textContent = m.display_name + " @" + m.name;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    area.setAttribute("aria-controls", "mention-list");
    area.setAttribute("aria-expanded", "true");
    area.insertAdjacentElement("afterend", list);
    highlight(0);
  }
  document.addEventListener("input", function (e) {
    var area = e.target;
    if (!(area instanceof HTMLTextAreaElement)) return;
    var prefix = wordBeforeCaret(area);
    if (!prefix) { close(); return; }
    var ticket = ++pending;
    fetch("/api/v1/members?prefix=" + encodeURIComponent(prefix), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) { if (ticket === pending) show(area, found); })
      .catch(close);
  });
  document.addEventListener("keydown", function (e) {
    if (!list || e.target !== box) return;
    if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % items.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); choose(active); }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("focusout", function (e) { if (e.target === box) setTimeout(close, 150); });
})();

// Live updates: new comments, replies and like counts on an open discussion, and the
// header's unread count, from the page's event stream (Server-Sent Events). Events carry
// ids and counts; a new comment's text comes from an ordinary GET that checks who may
// see it. The browser reconnects by itself and the server sends what was missed.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch) return;
  var source = null, url = null, fresh = [];

  function plural(n, one, many) { return n.toLocaleString("en-US") + " " + (n === 1 ? one : many); }
  function on(kind, handle) {
    source.addEventListener(kind, function (e) {
      var data = {};
      try { data = JSON.parse(e.data || "{}"); } catch (err) { return; }
      handle(data);
    });
  }
  function connect() {
    var holder = document.querySelector("[data-live]");
    var next = holder ? holder.getAttribute("data-live") : null;
    if (next === url) return;
    if (source) source.close();
    source = null; url = next; fresh = [];
    if (!url) return;
    source = new EventSource(url);
    on("unread", unread);
    on("comment", comment);
    on("like", like);
    on("gone", gone);
    on("edited", edited);
    on("changed", changed);
    on("stale", function () {
      notice("New activity may be missing from this page.", location.pathname + location.search, "Reload");
    });
  }

  function unread(data) {
    var link = document.querySelector("header.site .notifications-link");
    if (!link || typeof data.count !== "number") return;
    link.textContent = "Notifications";
    if (data.count > 0) {
      var badge = document.createElement("span");
      badge.className = "count unread-count";
      badge.textContent = String(data.count);
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
      link.setAttribute("aria-label", "Notifications: " + data.count + " unread");
    } else {
      link.removeAttribute("aria-label");
    }
  }

  function notice(text, href, label) {
    var box = document.getElementById("live-notice");
    if (!box) return;
    box.textContent = text + " ";
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    box.appendChild(a);
    box.hidden = false;
  }

  function insert(list, html, before) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var el = holder.content.firstElementChild;
    if (!el) return;
    list.insertBefore(el, before);
    if (window.htmx) window.htmx.process(el);
  }

  function fragment(id, place) {
    fetch("/c/" + id + "/live", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html && !document.getElementById("c" + id)) place(html); })
      .catch(function () {});
  }

  function replyCount(thread, count) {
    var line = thread.querySelector(":scope > .reply-count");
    if (!count) { if (line) line.remove(); return; }
    if (!line) {
      line = document.createElement("p");
      line.className = "reply-count";
      thread.insertBefore(line, thread.querySelector(":scope > .replies, :scope > .reply-slot"));
    }
    line.textContent = plural(count, "reply", "replies");
  }

  function counts(section, data) {
    if (typeof data.comment_count === "number") {
      Array.prototype.forEach.call(document.querySelectorAll("#d" + section.getAttribute("data-discussion") +
          " .comment-count, #comments-h .comment-count"), function (el) {
        el.textContent = plural(data.comment_count, "comment", "comments");
      });
    }
  }

  // The comment on this page fetched again and put in place of the one shown; ``missing``
  // runs when the viewer may no longer see it (the fetch answers 404).
  function refresh(id, missing) {
    var el = document.getElementById("c" + id);
    if (!el) return;
    fetch("/c/" + id + "/live", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : (r.status === 404 ? "" : null); })
      .then(function (html) {
        if (html === null || !el.isConnected) return;
        var holder = document.createElement("template");
        holder.innerHTML = (html || "").trim();
        var fresh = holder.content.querySelector("#c" + id);
        if (fresh) {
          el.replaceWith(fresh);
          if (window.htmx) window.htmx.process(fresh);
        } else {
          missing(el);
        }
      })
      .catch(function () {});
  }

  // The discussion itself changed: its text, whether it takes comments, whether it is
  // still up. The page says so and offers the reload that shows it.
  var CHANGED = {
    edited: "The discussion was edited.",
    locked: "This discussion is now locked: no new comments.",
    unlocked: "This discussion takes comments again.",
    gone: "This discussion has been taken down."
  };
  // A page rendered just after a change may still be sent it (its cursor was read before
  // the event reached its worker): what the page shows already is not news, and a later
  // event back to what the page shows (locked, then opened) takes the notice away.
  var told = null;
  function changed(data) {
    var section = document.getElementById("comments");
    var box = document.getElementById("live-notice");
    if (section && data.shown && section.getAttribute("data-shown") === data.shown) {
      if (told && box && box.textContent.indexOf(told) === 0) box.hidden = true;
      told = null;
      return;
    }
    if (!CHANGED[data.what]) return;
    notice(CHANGED[data.what], location.pathname + location.search, "Reload");
    told = CHANGED[data.what];
  }

  // An edited comment: its new text, as a reload would show it.
  function edited(data) {
    if (typeof data.id === "number") refresh(data.id, function () {});
  }

  // A comment deleted or removed: it leaves the page as a reload would show it — gone, or
  // a "deleted" line holding its replies, or (for its author and moderators) marked removed.
  function gone(data) {
    var section = document.getElementById("comments");
    if (!section || typeof data.id !== "number") return;
    counts(section, data);
    var thread = data.parent_id && document.getElementById("t" + data.parent_id);
    if (thread && typeof data.reply_count === "number") replyCount(thread, data.reply_count);
    refresh(data.id, function (el) {
      if (!data.parent_id && el.parentNode.querySelector(":scope > .replies li")) {
        el.className = "comment gone";
        el.textContent = "";
        var line = document.createElement("p");
        line.className = "meta deleted";
        line.textContent = "This comment was deleted.";
        el.appendChild(line);
      } else {
        el.closest("li").remove();
      }
    });
  }

  function comment(data) {
    var section = document.getElementById("comments");
    if (!section || typeof data.id !== "number") return;
    counts(section, data);
    if (data.parent_id) {
      var thread = document.getElementById("t" + data.parent_id);
      if (!thread) return;  // its comment is on another page
      if (typeof data.reply_count === "number") replyCount(thread, data.reply_count);
      if (document.getElementById("c" + data.id)) return;
      fragment(data.id, function (html) {
        var list = thread.querySelector(":scope > .replies");
        if (!list) {
          list = document.createElement("ol");
          list.className = "replies";
          thread.insertBefore(list, thread.querySelector(":scope > .reply-slot"));
        }
        insert(list, html, null);
      });
      return;
    }
    if (document.getElementById("c" + data.id)) return;
    if (data.page === Number(section.getAttribute("data-page"))) {
      fragment(data.id, function (html) {
        var list = section.querySelector("ol.threads");
        var before = null;
        Array.prototype.some.call(list.children, function (li) {
          if (Number(li.getAttribute("data-position")) > data.position) { before = li; return true; }
          return false;
        });
        insert(list, html, before);
      });
    } else if (fresh.indexOf(data.id) < 0) {
      // A reader on another page is told, not moved: the link opens the first new one.
      fresh.push(data.id);
      notice(fresh.length === 1 ? "1 new comment." : fresh.length + " new comments.",
             "/d/" + section.getAttribute("data-discussion") + "/c/" + fresh[0], "Show");
    }
  }

  function like(data) {
    var scope = data.type === "comment" ? document.getElementById("c" + data.id)
      : document.querySelector("#d" + data.id + " > .actions");
    var el = scope && scope.querySelector(".actions .like-count, .like-count");
    if (!el || typeof data.count !== "number") return;
    if (el.closest("form.like")) {
      el.textContent = String(data.count);
      el.setAttribute("aria-label", plural(data.count, "like", "likes"));
    } else {
      el.textContent = "♥ " + data.count;
    }
  }

  connect();
  // hx-boost (the pager) changes the page without loading one: follow it.
  document.addEventListener("htmx:afterSettle", connect);
  window.addEventListener("pageshow", function (e) { if (e.persisted) { url = null; connect(); } });
})();
