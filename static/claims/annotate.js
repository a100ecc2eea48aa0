/*
 * The annotation screen (admin). Turns a mouse or keyboard selection in the text into the claim
 * form's start, end and quote, and lets editors find a claim's words from the list.
 *
 * Offsets: the model counts Unicode code points, the DOM counts UTF-16 units. Every text segment
 * carries data-start (its first code point in the body); an offset inside a segment is its
 * data-start plus the number of code points before the point (Array.from splits by code point).
 * Without this script the form still works: type the offsets and save.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-annotate]");
  if (!root) return;
  var textEl = root.querySelector("[data-annotate-text]");
  var form = document.getElementById("claim-form");
  var bodyScript = document.getElementById("source-body");
  var body = bodyScript ? Array.from(JSON.parse(bodyScript.textContent)) : [];

  function field(role) {
    return form ? form.querySelector('[data-role="' + role + '"]') : null;
  }

  function codePoints(text) {
    return Array.from(text).length;
  }

  function segments() {
    return textEl.querySelectorAll("[data-start]");
  }

  // The body offset of a selection boundary. isEnd decides which side of a gap between
  // paragraphs a boundary that falls outside every segment belongs to.
  function offsetAt(node, offset, isEnd) {
    var element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    var segment = element ? element.closest("[data-start]") : null;
    if (segment && textEl.contains(segment)) {
      var range = document.createRange();
      range.setStart(segment, 0);
      range.setEnd(node, offset);
      return Number(segment.dataset.start) + codePoints(range.toString());
    }
    var probe = document.createRange();
    probe.setStart(node, offset);
    probe.collapse(true);
    var all = segments();
    var previous = null;
    for (var i = 0; i < all.length; i++) {
      if (probe.comparePoint(all[i], 0) > 0) {
        if (isEnd && previous) return Number(previous.dataset.end);
        return Number(all[i].dataset.start);
      }
      previous = all[i];
    }
    return previous ? Number(previous.dataset.end) : null;
  }

  function isSpace(character) {
    return /\s/u.test(character || "");
  }

  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!textEl.contains(range.startContainer) || !textEl.contains(range.endContainer)) return null;
    var start = offsetAt(range.startContainer, range.startOffset, false);
    var end = offsetAt(range.endContainer, range.endOffset, true);
    if (start === null || end === null) return null;
    // Selections are trimmed of surrounding whitespace, as the server requires.
    while (start < end && isSpace(body[start])) start++;
    while (end > start && isSpace(body[end - 1])) end--;
    if (start >= end) return null;
    return { start: start, end: end, quote: body.slice(start, end).join("") };
  }

  function fill() {
    if (!form) return;
    var picked = selected();
    if (!picked) return;
    field("start").value = picked.start;
    field("end").value = picked.end;
    field("quote").value = picked.quote;
    var status = field("status");
    if (status) {
      status.textContent = "Selected " + (picked.end - picked.start) + " characters (" +
        picked.start + "–" + picked.end + "). Choose the kind and a stance, then save.";
    }
    form.classList.add("has-selection");
  }

  // Keyboard selection needs a caret: the text becomes an editable region that refuses edits.
  textEl.setAttribute("contenteditable", "true");
  textEl.setAttribute("spellcheck", "false");
  textEl.setAttribute("role", "textbox");
  textEl.setAttribute("aria-readonly", "true");
  textEl.setAttribute("aria-multiline", "true");
  ["beforeinput", "paste", "cut", "drop", "dragstart"].forEach(function (type) {
    textEl.addEventListener(type, function (event) { event.preventDefault(); });
  });
  // One key in the text sets whose view the selected words are.
  var ATTRIBUTION_KEYS = { o: "own", r: "reported", c: "counterpoint", b: "background" };

  function setAttribution(key) {
    var value = ATTRIBUTION_KEYS[key];
    var input = value && form && form.querySelector('input[name="attribution"][value="' + value + '"]');
    if (input) input.checked = true;
    return Boolean(input);
  }

  textEl.addEventListener("keydown", function (event) {
    var plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    if (plain && setAttribution(event.key.toLowerCase())) {
      event.preventDefault();
      return;
    }
    var navigation = event.key.indexOf("Arrow") === 0 || ["Home", "End", "PageUp", "PageDown",
      "Tab", "Shift", "Control", "Alt", "Meta", "Escape"].indexOf(event.key) !== -1;
    var copy = (event.ctrlKey || event.metaKey) && ["a", "c"].indexOf(event.key.toLowerCase()) !== -1;
    if (!navigation && !copy) event.preventDefault();
    if (event.key === "Enter" && form && form.classList.contains("has-selection")) {
      field("quote").focus();
    }
  });
  textEl.addEventListener("mouseup", function () { window.setTimeout(fill, 0); });
  textEl.addEventListener("keyup", function (event) { if (event.shiftKey || event.key === "Shift") fill(); });
  textEl.addEventListener("touchend", function () { window.setTimeout(fill, 300); });

  // Finding a claim's words: scroll to the first segment and flash all of them.
  function find(id) {
    var parts = textEl.querySelectorAll('[data-claims~="' + id + '"]');
    if (!parts.length) return;
    parts[0].scrollIntoView({ block: "center", behavior: "smooth" });
    parts.forEach(function (part) {
      part.classList.remove("flash");
      void part.offsetWidth; // restart the animation
      part.classList.add("flash");
    });
    var item = document.getElementById("item-" + id);
    document.querySelectorAll(".claim-item.is-found").forEach(function (other) {
      other.classList.remove("is-found");
    });
    if (item) item.classList.add("is-found");
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("[data-find]");
    if (link) {
      event.preventDefault();
      find(link.dataset.find);
      window.history.replaceState(null, "", "#claim-" + link.dataset.find);
      return;
    }
    var segment = event.target.closest("[data-claims]");
    var selection = window.getSelection();
    if (segment && textEl.contains(segment) && selection && selection.isCollapsed) {
      var ids = segment.dataset.claims.split(" ");
      var item = document.getElementById("item-" + ids[ids.length - 1]);
      if (item) {
        item.scrollIntoView({ block: "nearest", behavior: "smooth" });
        find(ids[ids.length - 1]);
      }
    }
  });

  if (window.location.hash.indexOf("#claim-") === 0) {
    find(window.location.hash.slice("#claim-".length));
  }
})();
