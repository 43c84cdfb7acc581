// GOPS: small progressive enhancements. Loaded as a file so the CSP can forbid inline scripts.
(function () {
  "use strict";
  // Ask before destructive actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Nothing submits on change (WCAG 3.2.2): filters apply with their button.
  // Keep a double click from submitting a form twice.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var buttons = event.target.querySelectorAll("button[type=submit]");
    window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });
})();

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
