/* Small enhancements for the public pages; every page works without them.
 *
 * Reading view: a link to #claim-<id> marks *every* segment of that claim (CSS :target can
 * only mark the first), scrolls it into view and moves focus there for screen readers;
 * clicking a highlight selects its innermost claim the same way.
 * Topic matrix: Escape hides an open quote (hover/focus popups must be dismissible), and the
 * sort selects apply on change.
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

  function setUpMatrix() {
    var matrices = document.querySelectorAll(".matrix");
    for (var i = 0; i < matrices.length; i++) {
      (function (matrix) {
        var dismissedIn = null;
        var hovered = null;
        var cellOf = function (node) {
          return node && node.closest ? node.closest(".cell") : null;
        };
        document.addEventListener("keydown", function (event) {
          if (event.key === "Escape") {
            dismissedIn = cellOf(document.activeElement) || hovered;
            matrix.classList.add("pops-dismissed");
          }
        });
        var reset = function (event) {
          // Only another cell brings the quotes back; moving within the same one does not.
          var cell = cellOf(event.target);
          if (event.type === "mouseover") {
            hovered = cell;
          }
          if (cell && cell !== dismissedIn) {
            dismissedIn = null;
            matrix.classList.remove("pops-dismissed");
          }
        };
        matrix.addEventListener("focusin", reset);
        matrix.addEventListener("mouseover", reset);
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
