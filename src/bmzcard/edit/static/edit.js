// bmzcard edit: the few things htmx does not do. No inline scripts, no eval (see the page's CSP).
(function () {
  "use strict";

  // Warn before leaving with unsaved changes (they are also kept in the draft file).
  window.addEventListener("beforeunload", function (event) {
    var status = document.getElementById("status");
    if (status && status.dataset.dirty === "true") {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Undo and redo per field: a history of each text box's values, taken when typing pauses.
  var histories = new Map();
  function history(box) {
    var entry = histories.get(box.id);
    if (!entry || entry.box !== box) {
      entry = { box: box, past: [box.defaultValue], future: [], timer: null };
      histories.set(box.id, entry);
    }
    return entry;
  }
  function record(box) {
    var entry = history(box);
    if (entry.past[entry.past.length - 1] !== box.value) {
      entry.past.push(box.value);
      entry.future = [];
    }
  }
  function setValue(box, value) {
    box.value = value;
    box.dispatchEvent(new Event("input", { bubbles: true }));  // htmx sends it like typing
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("control-input") || box.dataset.replaying) return;
    var entry = history(box);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(function () { record(box); }, 400);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.undo, button.redo");
    if (button) {
      var box = document.getElementById(button.dataset.for);
      if (!box) return;
      var entry = history(box);
      clearTimeout(entry.timer);
      record(box);
      if (button.classList.contains("undo") && entry.past.length > 1) {
        entry.future.push(entry.past.pop());
      } else if (button.classList.contains("redo") && entry.future.length) {
        entry.past.push(entry.future.pop());
      } else {
        return;
      }
      box.dataset.replaying = "1";
      setValue(box, entry.past[entry.past.length - 1]);
      delete box.dataset.replaying;
      box.focus();
      return;
    }
    // A finding's link: go to its field and put the cursor there.
    var link = event.target.closest("a[data-target]");
    if (link) {
      var target = document.getElementById(link.dataset.target);
      if (!target) return;
      event.preventDefault();
      var box = target.matches("textarea") ? target : target.querySelector("textarea");
      target.scrollIntoView({ block: "center" });
      if (box) box.focus({ preventScroll: true });
    }
  });

  // Keep the preview's scroll position across live updates.
  var previewScroll = 0;
  document.addEventListener("htmx:beforeSwap", function () {
    var frame = document.getElementById("preview-frame");
    try {
      if (frame && frame.contentWindow) previewScroll = frame.contentWindow.scrollY;
    } catch (error) { /* not readable: start at the top */ }
  });
  document.addEventListener("load", function (event) {
    if (event.target && event.target.id === "preview-frame" && previewScroll) {
      try { event.target.contentWindow.scrollTo(0, previewScroll); } catch (error) { /* ignore */ }
    }
  }, true);
})();
