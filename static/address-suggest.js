// Address completions on the resident form: as the resident types, ask
// /api/v1/geocode/suggest and offer compounds, streets and places in a <datalist>.
// Progressive: without JavaScript (or without a map on the server) the field is a plain
// text field and the form works the same.
(function () {
  "use strict";
  var input = document.getElementById("address");
  if (!input || !window.fetch) { return; }
  var list = document.createElement("datalist");
  list.id = "address-suggestions";
  input.parentNode.appendChild(list);
  input.setAttribute("list", list.id);

  var timer = null;
  var pending = null;
  var last = "";

  function show(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (s) {
      var option = document.createElement("option");
      option.value = s.name; // textContent only: names are data, never markup
      list.appendChild(option);
    });
  }

  function ask() {
    var q = input.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length === 0) { show([]); return; }
    if (pending && pending.abort) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch("/api/v1/geocode/suggest?limit=10&q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" },
      signal: pending ? pending.signal : undefined
    }).then(function (r) {
      return r.ok ? r.json() : { items: [] };
    }).then(function (body) {
      if (input.value.trim() === q) { show(body.items || []); }
    }).catch(function () { /* offline or aborted: the field still works */ });
  }

  input.addEventListener("input", function (e) {
    if (e.isComposing) { return; } // wait for the IME to commit the characters
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("compositionend", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 60);
  });
})();
