/* The citation page's copy buttons: the clipboard API where the browser allows it; otherwise
 * (an insecure origin, a refused permission) the box is selected for the reader to copy.
 * Without this script the buttons stay hidden and the boxes can be selected by hand. */
(function () {
  "use strict";

  function say(button, text) {
    var status = button.parentNode.querySelector(".cite-copy__status");
    if (status) {
      status.textContent = text;
    }
  }

  function selectBox(box, button) {
    box.focus();
    box.select();
    say(button, "Selected: press Ctrl+C (⌘C) to copy.");
  }

  var buttons = document.querySelectorAll(".cite-copy");
  for (var i = 0; i < buttons.length; i++) {
    var button = buttons[i];
    button.hidden = false;
    button.addEventListener("click", function (event) {
      var target = event.currentTarget;
      var box = document.getElementById(target.getAttribute("data-copy"));
      if (!box) {
        return;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(
          function () {
            say(target, "Copied.");
          },
          function () {
            selectBox(box, target);
          }
        );
      } else {
        selectBox(box, target);
      }
    });
  }
})();
