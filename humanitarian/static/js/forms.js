// Area pickers: type an English or Arabic name or a p-code. The <datalist> suggests without
// any script; this only names the chosen area under the field and, for names the list does
// not hold, asks /lookup/areas.json so a typed name resolves to its p-code (the whole-name
// match the server names as "best", or the only match). A resolved field announces itself with
// an "area:resolved" event, which the location picker (picker.js) listens for.
(function () {
  "use strict";
  var list = document.getElementById("area-options");
  if (!list) { return; }
  var names = {};
  Array.prototype.forEach.call(list.options, function (o) { names[o.value] = o.textContent; });
  var endpoint = document.body.getAttribute("data-areas-url") || "/lookup/areas.json";

  function show(input) {
    var out = input.parentNode.querySelector("output.area-name");
    if (!out) { return; }
    var code = input.value.trim().toUpperCase();
    out.textContent = names[code] || "";
  }

  function resolve(input) {
    var text = input.value.trim();
    if (!text || names[text.toUpperCase()]) { show(input); return; }
    fetch(endpoint + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        var a = null;
        data.items.forEach(function (item) { if (item.pcode === data.best) { a = item; } });
        if (!a && data.items.length === 1) { a = data.items[0]; }
        if (a) {
          names[a.pcode] = a.name_en + " · " + a.name_ar;
          input.value = a.pcode;
          input.dispatchEvent(new CustomEvent("area:resolved", { bubbles: true }));
        }
        show(input);
      })
      .catch(function () { show(input); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-area-picker]"), function (input) {
    show(input);
    input.addEventListener("input", function () { show(input); });
    input.addEventListener("change", function () { resolve(input); });
  });
})();

// Facility search: when the facility list stops at its limit, a search box lists the
// facilities whose name contains what is typed (/lookup/facilities.json), keeping the choice.
(function () {
  "use strict";
  var box = document.querySelector("[data-facility-search]");
  var select = document.getElementById("f-facility_id");
  if (!box || !select) { return; }
  var input = box.querySelector("input");
  var endpoint = box.getAttribute("data-facility-search");
  var timer = null;

  function option(value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  function fill(items) {
    var chosen = select.value;
    var keep = Array.prototype.filter.call(select.options, function (o) {
      return o.value === "" || o.value === chosen;
    });
    select.textContent = "";
    keep.forEach(function (o) { select.appendChild(o); });
    items.forEach(function (f) {
      if (f.id !== chosen) {
        select.appendChild(option(f.id, f.name + (f.name_ar ? " — " + f.name_ar : "")));
      }
    });
    select.value = chosen;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (!text) { return; }
    timer = setTimeout(function () {
      fetch(endpoint + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { fill(data.items); });
    }, 250);
  });
})();
