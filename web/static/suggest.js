/* bahth: word suggestions under the search box, as you type (an ARIA combobox).
   Plain JavaScript, no library; the page works the same without it. The last word typed is
   sent to /api/suggest; choosing a suggestion completes that word and runs the search. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) { return; }
  var url = input.getAttribute("data-suggest-url");
  var timer = null;
  var active = -1;
  var asked = "";

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    if (!items.length) { return; }
    active = (index + items.length) % items.length;
    for (var i = 0; i < items.length; i += 1) {
      items[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  function choose(text) {
    input.value = text;
    close();
    if (input.form) { input.form.submit(); }
  }

  function show(head, words) {
    close();
    words.forEach(function (word, i) {
      var item = document.createElement("li");
      item.id = "suggestion-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = head + word;   /* textContent: never parsed as HTML */
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(item.textContent);
      });
      list.appendChild(item);
    });
    if (words.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function update() {
    var value = input.value;
    var match = /(\S+)$/.exec(value);
    if (!match) { asked = ""; close(); return; }
    if (value === asked) { return; }
    asked = value;
    var word = match[1];
    var head = value.slice(0, value.length - word.length);
    fetch(url + "?q=" + encodeURIComponent(word), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (words) {
        if (input.value === value && document.activeElement === input) { show(head, words); }
      })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options()[active].textContent);
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
