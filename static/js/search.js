// GOPS search: similar ideas while a citizen writes a new idea (the search feature's script).
// While a citizen writes a new idea, show similar ideas they could support instead.
(function () {
  "use strict";
  var box = document.getElementById("similar-ideas");
  if (!box) { return; }
  var title = document.getElementById("title");
  var summary = document.getElementById("summary");
  var list = box.querySelector("ul");
  var timer = null;
  var last = "";
  function lookup() {
    var text = (title.value + " " + summary.value).trim();
    if (text.length < 4 || text === last) { return; }
    last = text;
    var url = box.getAttribute("data-url") + "?title=" + encodeURIComponent(title.value) +
      "&summary=" + encodeURIComponent(summary.value);
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
          var meta = document.createElement("span");
          meta.className = "meta";
          meta.textContent = " · " + item.support_count;
          li.appendChild(meta);
          list.appendChild(li);
        });
        box.hidden = data.items.length === 0;
      })
      .catch(function () { /* the form works without suggestions */ });
  }
  [title, summary].forEach(function (input) {
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 350);
    });
  });
})();
