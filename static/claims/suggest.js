/*
 * Suggestions on the annotation screen. When words are selected (annotate.js fires
 * "claims:selected"), the five most likely propositions are fetched from the API's suggest
 * endpoint and listed in the claim form, each with a submit button per stance: one click saves
 * the claim with that stance. Typing in a proposition field lists the propositions whose
 * wording is closest; clicking one fills in its slug. A sentence of the silence check, when
 * clicked, becomes the selection. Without this script the server-rendered lists still work.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-annotate]");
  var box = document.querySelector("[data-suggestions]");
  if (!root || !box) return;
  var form = document.getElementById("claim-form");
  var list = box.querySelector("[data-suggestion-list]");
  var status = box.querySelector("[data-suggestion-status]");
  var labels = [["supports", "Supports"], ["contradicts", "Contradicts"], ["mixed", "Mixed"],
    ["neutral", "Neutral"]];
  var bodyScript = document.getElementById("source-body");
  var body = bodyScript ? Array.from(JSON.parse(bodyScript.textContent)) : [];

  function fetchSuggestions(text, k, withSource) {
    var params = new URLSearchParams({ text: text.slice(0, 600), k: String(k) });
    if (withSource) params.set("source", box.dataset.source);
    return fetch(box.dataset.url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) { return data.results; });
  }

  function suggestionItem(result) {
    var item = document.createElement("li");
    item.className = "suggestion";
    var text = document.createElement("span");
    text.className = "suggestion-text";
    text.textContent = result.text;
    item.appendChild(text);
    if (result.addressed_by_source) {
      var note = document.createElement("span");
      note.className = "suggestion-note";
      note.textContent = "already addressed in this source";
      item.appendChild(note);
    }
    var actions = document.createElement("span");
    actions.className = "suggestion-actions";
    actions.setAttribute("role", "group");
    actions.setAttribute("aria-label", "Stance on this proposition");
    labels.forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "pick";
      button.value = result.slug + "|" + pair[0];
      button.className = "stance-button stance-" + pair[0];
      button.textContent = pair[1];
      actions.appendChild(button);
    });
    item.appendChild(actions);
    return item;
  }

  var latest = 0;
  function showFor(text) {
    var ticket = ++latest;
    status.textContent = "Finding the likely propositions…";
    fetchSuggestions(text, 5, true).then(function (results) {
      if (ticket !== latest) return; // a newer selection has been made since
      list.replaceChildren.apply(list, results.map(suggestionItem));
      status.textContent = results.length
        ? "For the selected words; one click saves the claim with that stance."
        : "No existing proposition shares words with the selection; write a new one.";
    }).catch(function () {
      if (ticket === latest) status.textContent = "Suggestions are unavailable just now.";
    });
  }

  if (form) {
    form.addEventListener("claims:selected", function (event) { showFor(event.detail.quote); });
  }

  // Proposition fields: the closest wordings as the editor types, a click fills the slug.
  function finder(input) {
    var results = document.createElement("ul");
    results.className = "proposition-finder";
    results.setAttribute("aria-label", "Closest propositions");
    input.insertAdjacentElement("afterend", results);
    var timer = null;
    var ticket = 0;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var words = input.value.trim();
      if (words.length < 3) { results.replaceChildren(); return; }
      timer = window.setTimeout(function () {
        var mine = ++ticket;
        fetchSuggestions(words, 6, false).then(function (found) {
          if (mine !== ticket) return;
          results.replaceChildren.apply(results, found.map(function (result) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "finder-option";
            button.textContent = result.text;
            button.title = result.slug;
            button.addEventListener("click", function () {
              input.value = result.slug;
              results.replaceChildren();
              input.focus();
            });
            item.appendChild(button);
            return item;
          }));
        }).catch(function () { results.replaceChildren(); });
      }, 250);
    });
  }
  document.querySelectorAll("[data-find-propositions]").forEach(finder);

  // A sentence of the silence check becomes the selection of the claim form.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-select-start]");
    if (!link || !form) return;
    event.preventDefault();
    var start = Number(link.dataset.selectStart);
    var end = Number(link.dataset.selectEnd);
    var quote = body.slice(start, end).join("");
    form.querySelector('[data-role="start"]').value = start;
    form.querySelector('[data-role="end"]').value = end;
    form.querySelector('[data-role="quote"]').value = quote;
    var selectionStatus = form.querySelector('[data-role="status"]');
    if (selectionStatus) {
      selectionStatus.textContent = "Selected " + (end - start) + " characters (" + start + "–" +
        end + ") from the silence check. Choose the kind and a stance, then save.";
    }
    form.classList.add("has-selection");
    form.scrollIntoView({ block: "start", behavior: "smooth" });
    showFor(quote);
  });
})();
