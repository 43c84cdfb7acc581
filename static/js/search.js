// GOPS search: similar ideas while a citizen writes a new idea (the search feature's script).
// While a citizen writes a new idea, show similar ideas they could support instead; the chosen city
// goes along, since a duplicate is most likely in the same city.
(function () {
  "use strict";
  var box = document.getElementById("similar-ideas");
  if (!box) { return; }
  var title = document.getElementById("title");
  var summary = document.getElementById("summary");
  var municipality = document.getElementById("municipality");
  var list = box.querySelector("ul");
  var timer = null;
  var last = "";
  function lookup() {
    var city = municipality ? municipality.value : "";
    var text = (title.value + " " + summary.value).trim();
    if (text.length < 4 || text + "|" + city === last) { return; }
    last = text + "|" + city;
    var url = box.getAttribute("data-url") + "?title=" + encodeURIComponent(title.value) +
      "&summary=" + encodeURIComponent(summary.value) + "&municipality=" + encodeURIComponent(city);
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        list.textContent = "";
        data.items.forEach(function (item) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = "/ideas/" + item.id;
          a.target = "_blank";
          a.textContent = item.title;
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
          var status = document.createElement("span");
          status.className = "badge status-" + item.status;
          status.textContent = item.status_label;
          li.appendChild(status);
          var meta = document.createElement("span");
          meta.className = "meta";
          // "지지 16": the number says what it counts
          meta.textContent = " · " + item.support_label;
          li.appendChild(meta);
          list.appendChild(li);
        });
        box.hidden = data.items.length === 0;
      })
      .catch(function () { /* the form works without suggestions */ });
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 350);
  }
  [title, summary].forEach(function (input) { input.addEventListener("input", later); });
  if (municipality) { municipality.addEventListener("change", later); }
})();
