/* Small enhancements for the public pages; every page works without them.
 *
 * Reading view: a link to #claim-<id> marks *every* segment of that claim (CSS :target can
 * only mark the first), scrolls it into view and moves focus there for screen readers;
 * clicking a highlight selects its innermost claim the same way.
 * Topic matrix: from a tablet up, a cell's quotes open on hover, keyboard focus or a first tap
 * in a pop-up laid over the page (position: fixed, placed by placePop) so that the table's
 * scrolling box cannot cut it; Escape hides it; the sort selects apply on change.
 * Loaded as a static file with `defer`: no inline script or handler, as the CSP requires.
 */
(function () {
  "use strict";

  var CLAIM = /^#claim-(\d+)$/;

  function markClaim(scroll) {
    var previous = document.querySelectorAll(".is-target");
    for (var i = 0; i < previous.length; i++) {
      previous[i].classList.remove("is-target");
    }
    var match = CLAIM.exec(window.location.hash);
    if (!match) {
      return;
    }
    var id = match[1];
    var segments = document.querySelectorAll('.seg[data-claims~="' + id + '"]');
    for (var j = 0; j < segments.length; j++) {
      segments[j].classList.add("is-target");
    }
    var note = document.getElementById("note-" + id);
    if (note) {
      note.classList.add("is-target");
    }
    var first = segments[0];
    if (first) {
      if (!first.hasAttribute("tabindex")) {
        first.setAttribute("tabindex", "-1");
      }
      first.focus({ preventScroll: true });
      if (scroll) {
        first.scrollIntoView({ block: "center" });
      }
      if (note && note.parentElement) {
        var aside = note.closest(".reading__aside");
        if (aside && aside.scrollHeight > aside.clientHeight) {
          aside.scrollTop = note.offsetTop - aside.offsetTop - 16;
        }
      }
    }
  }

  function onSegmentClick(event) {
    var seg = event.target.closest ? event.target.closest(".seg") : null;
    if (!seg) {
      return;
    }
    var ids = (seg.getAttribute("data-claims") || "").split(" ");
    var innermost = ids[ids.length - 1];
    if (innermost) {
      if (window.location.hash === "#claim-" + innermost) {
        markClaim(false);
      } else {
        window.history.replaceState(null, "", "#claim-" + innermost);
        markClaim(false);
      }
    }
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
            hide();
          }
        });
        matrix.addEventListener("mouseover", function (event) {
          if (touched) {
            return;
          }
          var cell = cellOf(event.target);
          hovered = cell;
          if (cell && cell !== open && layered()) {
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
    markClaim(true);
    setUpMatrix();
    var text = document.querySelector(".reading__text");
    if (text) {
      text.addEventListener("click", onSegmentClick);
    }
  });
  window.addEventListener("hashchange", function () {
    markClaim(true);
  });
})();
