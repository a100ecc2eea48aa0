/* Small enhancements for the public pages; every page works without them.
 *
 * Reading view: a highlight that takes focus (Tab, a click, a link to #claim-<id>, or the next
 * and previous steps, also on the keys j/k and n/p) opens its claim: every segment of it is
 * marked (CSS :target can only mark the first) and its note is shown, level with it in the
 * margin on wide screens (laid out by `layout`), in a sheet at the bottom on narrow ones. The
 * filters by proposition, stance and whose view dim the other highlights and take them out of
 * the keyboard order.
 * Topic matrix: from a tablet up, a cell's quotes open on hover, keyboard focus or a first tap
 * in a pop-up laid over the page (position: fixed, placed by placePop) so that the table's
 * scrolling box cannot cut it; Escape hides it; the sort selects apply on change.
 * Loaded as a static file with `defer`: no inline script or handler, as the CSP requires.
 */
(function () {
  "use strict";

  var CLAIM = /^#claim-(\d+)$/;
  var WIDE_TEXT = window.matchMedia("(min-width: 64rem)");
  var GAP = 8;

  function words(value) {
    return (value || "").split(" ").filter(Boolean);
  }

  // The reading view: highlights, their notes, the filters and the claim-by-claim steps.
  function setUpReading(root) {
    var text = document.getElementById("source-text");
    var list = root.querySelector("[data-notes]");
    if (!text || !list) {
      return null;
    }
    var tools = root.querySelector("[data-reading-tools]");
    var sheet = document.querySelector("[data-sheet]");
    var sheetBody = sheet ? sheet.querySelector("[data-sheet-body]") : null;
    var notes = {};
    var noteNodes = list.querySelectorAll(".note[data-claim]");
    for (var n = 0; n < noteNodes.length; n++) {
      notes[noteNodes[n].getAttribute("data-claim")] = noteNodes[n];
    }
    // Claims in text order: the order in which their anchors appear in the text.
    var order = [];
    var anchors = text.querySelectorAll('[id^="claim-"]');
    for (var a = 0; a < anchors.length; a++) {
      var match = /^claim-(\d+)$/.exec(anchors[a].id);
      if (match && order.indexOf(match[1]) < 0) {
        order.push(match[1]);
      }
    }
    var filters = {};
    var current = null;
    var quiet = false;
    if (tools) {
      tools.hidden = false;
    }
    root.classList.add("is-live");

    var segmentsOf = function (id) {
      return text.querySelectorAll('.seg[data-claims~="' + id + '"]');
    };
    var shown = function (id) {
      var note = notes[id];
      if (!note) {
        return false;
      }
      if (filters.propositions && words(note.getAttribute("data-propositions")).indexOf(filters.propositions) < 0) {
        return false;
      }
      if (filters.labels && words(note.getAttribute("data-labels")).indexOf(filters.labels) < 0) {
        return false;
      }
      if (filters.attribution && note.getAttribute("data-attribution") !== filters.attribution) {
        return false;
      }
      return true;
    };
    var visibleOrder = function () {
      return order.filter(shown);
    };
    var margin = function () {
      return WIDE_TEXT.matches;
    };

    function status() {
      var visible = visibleOrder();
      var at = current ? visible.indexOf(current) : -1;
      var message = at >= 0 ? "Claim " + (at + 1) + " of " + visible.length : visible.length + " claims";
      if (visible.length !== order.length) {
        message += " shown (of " + order.length + ")";
      }
      var places = document.querySelectorAll("[data-status]");
      for (var i = 0; i < places.length; i++) {
        places[i].textContent = message;
      }
    }

    // Each note level with its claim's first highlight; the open one exactly there, the others
    // moved down (or up, above it) just enough not to overlap.
    function layout() {
      root.classList.toggle("is-margin", margin());
      if (!margin()) {
        list.style.height = "";
        for (var id in notes) {
          notes[id].style.top = "";
        }
        return;
      }
      var base = list.getBoundingClientRect().top;
      var items = [];
      for (var key in notes) {
        var note = notes[key];
        if (note.classList.contains("is-filtered")) {
          continue;
        }
        var first = segmentsOf(key)[0];
        var wanted = first ? first.getBoundingClientRect().top - base : Infinity;
        items.push({ note: note, id: key, wanted: wanted, height: note.offsetHeight });
      }
      items.sort(function (x, y) {
        return x.wanted - y.wanted;
      });
      var last = 0;
      for (var i = 0; i < items.length; i++) {
        if (items[i].wanted === Infinity) {
          items[i].wanted = last;
        }
        last = Math.max(last, items[i].wanted + items[i].height + GAP);
      }
      var active = -1;
      for (var j = 0; j < items.length; j++) {
        items[j].top = items[j].wanted;
        if (items[j].id === current) {
          active = j;
        }
      }
      // Above the open note, each moves up out of its way; where the text above is too short
      // to hold them all they pile up at the top, under one another, and the open note keeps
      // its place beside its highlight.
      for (var b = active - 1; b >= 0 && active > 0; b--) {
        items[b].top = Math.max(0, Math.min(items[b].wanted, items[b + 1].top - items[b].height - GAP));
      }
      var floor = active >= 0 ? items[active].top + items[active].height + GAP : 0;
      for (var k = Math.max(active + 1, 0); k < items.length; k++) {
        items[k].top = Math.max(items[k].top, floor);
        floor = items[k].top + items[k].height + GAP;
      }
      for (var z = 0; z < items.length; z++) {
        items[z].note.classList.toggle("is-piled", z < active && items[z].top + items[z].height + GAP > items[z + 1].top + 0.5);
      }
      for (var m = 0; m < items.length; m++) {
        items[m].note.style.top = Math.round(items[m].top) + "px";
      }
      list.style.height = Math.round(Math.max(floor, last)) + "px";
    }

    function openSheet(id) {
      if (!sheet || !sheetBody) {
        return;
      }
      if (!id || margin()) {
        sheet.hidden = true;
        document.body.classList.remove("has-sheet");
        return;
      }
      var copy = notes[id].cloneNode(true);
      copy.removeAttribute("id");
      var named = copy.querySelectorAll("[id]");
      for (var i = 0; i < named.length; i++) {
        named[i].removeAttribute("id");
      }
      copy.classList.remove("is-target");
      sheetBody.replaceChildren(copy);
      sheet.hidden = false;
      document.body.classList.add("has-sheet");
    }

    function reveal(node) {
      var rect = node.getBoundingClientRect();
      // Above the sheet on a phone; in the middle of the screen otherwise.
      var aim = margin() ? window.innerHeight / 2 : window.innerHeight * 0.25;
      window.scrollBy({ top: rect.top - aim, left: 0 });
    }

    // Make `id` the open claim: its highlights and note marked, the note beside it or in the
    // sheet, the address pointing at it.
    function select(id, how) {
      how = how || {};
      var previous = document.querySelectorAll(".is-target");
      for (var i = 0; i < previous.length; i++) {
        previous[i].classList.remove("is-target");
      }
      current = id && notes[id] ? id : null;
      if (current) {
        var segments = segmentsOf(current);
        for (var j = 0; j < segments.length; j++) {
          segments[j].classList.add("is-target");
        }
        notes[current].classList.add("is-target");
        if (how.address && window.location.hash !== "#claim-" + current) {
          window.history.replaceState(null, "", "#claim-" + current);
        }
        if (how.focus && segments[0]) {
          quiet = true;
          segments[0].focus({ preventScroll: true });
          quiet = false;
        }
        layout();
        openSheet(current);
        if (how.scroll && segments[0]) {
          reveal(segments[0]);
        }
      } else {
        layout();
        openSheet(null);
      }
      status();
    }

    function step(by) {
      var visible = visibleOrder();
      if (!visible.length) {
        return;
      }
      var at = current ? visible.indexOf(current) : -1;
      var next;
      if (at < 0) {
        // From wherever the reader is: the first claim after the one before, in text order.
        var from = current ? order.indexOf(current) : by > 0 ? -1 : order.length;
        var candidates = visible.filter(function (id) {
          return by > 0 ? order.indexOf(id) > from : order.indexOf(id) < from;
        });
        next = by > 0 ? candidates[0] : candidates[candidates.length - 1];
        if (!next) {
          next = by > 0 ? visible[0] : visible[visible.length - 1];
        }
      } else {
        next = visible[(at + by + visible.length) % visible.length];
      }
      select(next, { focus: true, scroll: true, address: true });
    }

    function applyFilters() {
      for (var id in notes) {
        notes[id].classList.toggle("is-filtered", !shown(id));
      }
      var segments = text.querySelectorAll(".seg");
      for (var i = 0; i < segments.length; i++) {
        var on = words(segments[i].getAttribute("data-claims")).some(shown);
        segments[i].classList.toggle("is-dimmed", !on);
        segments[i].setAttribute("tabindex", on ? "0" : "-1");
      }
      if (current && !shown(current)) {
        select(null);
      } else {
        layout();
        status();
      }
    }

    text.addEventListener("focusin", function (event) {
      var seg = event.target.closest ? event.target.closest(".seg") : null;
      if (!seg || quiet) {
        return;
      }
      var ids = words(seg.getAttribute("data-claims")).filter(shown);
      if (!ids.length || ids.indexOf(current) >= 0) {
        return;
      }
      select(ids[ids.length - 1], { address: true });
    });
    text.addEventListener("click", function (event) {
      var seg = event.target.closest ? event.target.closest(".seg") : null;
      if (!seg) {
        return;
      }
      // A click on nested highlights opens the innermost claim, then the next one out.
      var ids = words(seg.getAttribute("data-claims")).filter(shown);
      var at = ids.indexOf(current);
      if (ids.length > 1 && at >= 0 && seg.getAttribute("data-clicked") === "1") {
        select(ids[(at - 1 + ids.length) % ids.length], { address: true });
      }
      seg.setAttribute("data-clicked", "1");
    });
    text.addEventListener("focusout", function (event) {
      var seg = event.target.closest ? event.target.closest(".seg") : null;
      if (seg) {
        seg.removeAttribute("data-clicked");
      }
    });
    var controls = document.querySelectorAll("[data-step]");
    for (var c = 0; c < controls.length; c++) {
      controls[c].addEventListener("click", function (event) {
        step(parseInt(event.currentTarget.getAttribute("data-step"), 10));
      });
    }
    var selects = root.querySelectorAll("[data-filter]");
    for (var f = 0; f < selects.length; f++) {
      selects[f].addEventListener("change", function (event) {
        filters[event.target.getAttribute("data-filter")] = event.target.value;
        applyFilters();
      });
    }
    if (sheet) {
      sheet.querySelector("[data-close]").addEventListener("click", function () {
        var back = current ? segmentsOf(current)[0] : null;
        select(null);
        if (back) {
          quiet = true;
          back.focus({ preventScroll: true });
          quiet = false;
        }
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) {
        return;
      }
      if (event.key === "j" || event.key === "n") {
        event.preventDefault();
        step(1);
      } else if (event.key === "k" || event.key === "p") {
        event.preventDefault();
        step(-1);
      } else if (event.key === "Escape" && sheet && !sheet.hidden) {
        select(null);
      }
    });
    var relayout = function () {
      layout();
      if (current) {
        openSheet(current);
      }
    };
    if (WIDE_TEXT.addEventListener) {
      WIDE_TEXT.addEventListener("change", relayout);
    }
    window.addEventListener("resize", layout);
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(layout);
    }
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        layout();
      }).observe(text);
    }
    status();
    layout();
    return {
      follow: function (scroll) {
        var match = CLAIM.exec(window.location.hash);
        if (match && notes[match[1]]) {
          select(match[1], { focus: true, scroll: scroll });
        }
      },
    };
  }

  var WIDE_MATRIX = window.matchMedia("(min-width: 48rem)");
  var MARGIN = 8;

  // Place an open pop-up beside its cell, inside the viewport: below the cell if it fits, else
  // above, else on the side with more room, scrolling within itself.
  function placePop(cell) {
    var pop = cell.querySelector(".pop");
    if (!pop) {
      return;
    }
    pop.style.maxHeight = "";
    pop.style.top = "0px";
    pop.style.left = "0px";
    var rect = cell.getBoundingClientRect();
    var width = pop.offsetWidth;
    var height = pop.offsetHeight;
    var viewWidth = document.documentElement.clientWidth;
    var viewHeight = window.innerHeight;
    var left = rect.left + rect.width / 2 - width / 2;
    left = Math.max(MARGIN, Math.min(left, viewWidth - width - MARGIN));
    var below = viewHeight - rect.bottom - MARGIN;
    var above = rect.top - MARGIN;
    var top;
    if (height <= below + 4) {
      top = rect.bottom - 4;
    } else if (height <= above + 4) {
      top = rect.top + 4 - height;
    } else if (below >= above) {
      top = rect.bottom - 4;
      pop.style.maxHeight = Math.max(below + 4, 120) + "px";
    } else {
      var room = Math.max(above + 4, 120);
      pop.style.maxHeight = room + "px";
      top = rect.top + 4 - room;
    }
    pop.style.top = Math.round(top) + "px";
    pop.style.left = Math.round(left) + "px";
  }

  function setUpMatrix() {
    var matrices = document.querySelectorAll(".matrix");
    for (var i = 0; i < matrices.length; i++) {
      (function (matrix) {
        var open = null;
        var hovered = null;
        var dismissed = null;
        var touched = false;
        var openOnTouch = false;
        var cellOf = function (node) {
          var cell = node && node.closest ? node.closest(".cell") : null;
          return cell && cell.querySelector(".pop") ? cell : null;
        };
        var layered = function () {
          return WIDE_MATRIX.matches;
        };
        var show = function (cell) {
          if (open && open !== cell) {
            open.classList.remove("is-open");
          }
          open = cell;
          if (cell) {
            cell.classList.add("is-open");
            placePop(cell);
          }
        };
        var hide = function () {
          if (open) {
            open.classList.remove("is-open");
          }
          open = null;
        };
        var sync = function () {
          matrix.classList.toggle("has-layer", layered());
          if (!layered()) {
            hide();
          }
        };
        sync();
        if (WIDE_MATRIX.addEventListener) {
          WIDE_MATRIX.addEventListener("change", sync);
        }
        document.addEventListener("keydown", function (event) {
          if (event.key === "Escape" && open) {
            // Closed until the pointer or the focus moves to another cell.
            dismissed = open;
            hide();
          }
        });
        matrix.addEventListener("mouseover", function (event) {
          if (touched) {
            return;
          }
          var cell = cellOf(event.target);
          hovered = cell;
          if (cell !== dismissed) {
            dismissed = null;
          }
          if (cell && cell !== open && cell !== dismissed && layered()) {
            show(cell);
          }
        });
        matrix.addEventListener("mouseleave", function () {
          hovered = null;
          if (open && !open.contains(document.activeElement)) {
            hide();
          }
        });
        matrix.addEventListener("mouseout", function (event) {
          var from = cellOf(event.target);
          var to = cellOf(event.relatedTarget);
          if (from && from === open && to !== from && !from.contains(document.activeElement)) {
            hovered = to;
            hide();
          }
        });
        matrix.addEventListener("focusin", function (event) {
          var cell = cellOf(event.target);
          dismissed = null;
          if (cell && layered() && !touched) {
            show(cell);
          }
        });
        matrix.addEventListener("focusout", function (event) {
          var to = cellOf(event.relatedTarget);
          if (open && to !== open && hovered !== open) {
            hide();
          }
        });
        // Touch: the first tap on a cell opens its quotes; a second tap follows the link.
        matrix.addEventListener("pointerdown", function (event) {
          touched = event.pointerType === "touch";
          var cell = cellOf(event.target);
          openOnTouch = touched && cell && cell !== open && layered();
        });
        matrix.addEventListener("click", function (event) {
          var cell = cellOf(event.target);
          if (openOnTouch && cell && event.target.closest(".cell__link")) {
            event.preventDefault();
            show(cell);
          }
          openOnTouch = false;
          touched = false;
        });
        document.addEventListener("pointerdown", function (event) {
          if (open && !open.contains(event.target)) {
            hide();
          }
        });
        var replace = function (event) {
          if (open && !(event.target && event.target.nodeType === 1 && open.contains(event.target))) {
            placePop(open);
          }
        };
        window.addEventListener("scroll", replace, true);
        window.addEventListener("resize", replace);
      })(matrices[i]);
    }
    var form = document.querySelector(".order-form");
    if (form) {
      form.addEventListener("change", function () {
        form.submit();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-reading]");
    var reading = root ? setUpReading(root) : null;
    if (reading) {
      reading.follow(true);
      window.addEventListener("hashchange", function () {
        reading.follow(true);
      });
    }
    setUpMatrix();
  });
})();
