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
  // After htmx puts a reply form or a new reply on the page, move focus where the member expects.
  document.addEventListener("htmx:afterSwap", function (event) {
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
