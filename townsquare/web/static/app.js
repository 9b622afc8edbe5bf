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
