// GOPS: small progressive enhancements. Loaded as a file so the CSP can forbid inline scripts.
// Every page works without it: the menu is open, links are shown to copy, pickers take a typed name.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // Ask before irreversible actions: <form data-confirm="..."> or <button data-confirm="..."> (the
  // button wins, so one form can hold an ordinary and an irreversible button).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Nothing submits on change (WCAG 3.2.2): filters apply with their button.
  // Keep a double click from submitting a form twice.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var buttons = event.target.querySelectorAll("button[type=submit], button:not([type])");
    window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  });

  // The menu button on small screens.
  function menu() {
    var button = document.querySelector(".menu-button");
    var header = document.querySelector(".site-header");
    if (!button || !header) { return; }
    function set(open) {
      header.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  }

  // Sharing: <div class="share" data-share-url data-share-title data-share-text> with a copy button,
  // and the system share sheet where the browser has one.
  function share(box) {
    var url = box.getAttribute("data-share-url");
    var status = box.querySelector("[role=status]");
    var copy = box.querySelector("[data-share-copy]");
    var native = box.querySelector("[data-share-native]");
    var field = box.querySelector(".share-url");
    field.tabIndex = -1;  // the buttons take over; the field stays for the copy fallback
    field.setAttribute("aria-hidden", "true");
    function say(text) {
      status.textContent = text;
      window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
    function fallbackCopy() {
      field.select();
      try { return document.execCommand("copy"); } catch (e) { return false; }
    }
    if (copy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var done = function () { say(copy.getAttribute("data-done")); };
        var failed = function () { say(fallbackCopy() ? copy.getAttribute("data-done") : copy.getAttribute("data-failed")); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(done, failed);
        } else {
          failed();
        }
      });
    }
    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({
          title: box.getAttribute("data-share-title"), text: box.getAttribute("data-share-text"), url: url
        }).catch(function () { /* closed without sharing */ });
      });
    }
  }

  // Pick by name: <div class="picker" data-lookup="/people/lookup"> holding a text input (the name),
  // a hidden input (the id the form submits), a results list and a status line.
  function picker(box) {
    var input = box.querySelector("input[type=text], input[type=search]");
    var hidden = box.querySelector("input[type=hidden]");
    var list = box.querySelector(".picker-results");
    var status = box.querySelector(".picker-chosen");
    var timer = null;
    var asked = "";
    if (!input || !hidden || !list) { return; }
    input.setAttribute("autocomplete", "off");
    function close() { list.hidden = true; list.textContent = ""; }
    function choose(item) {
      hidden.value = item.id;
      input.value = item.name;
      asked = item.name;
      status.textContent = box.getAttribute("data-chosen").replace("{name}", item.name + (item.detail ? " · " + item.detail : ""));
      close();
      input.focus();
    }
    function buttons() { return Array.prototype.slice.call(list.querySelectorAll("button")); }
    function show(items) {
      list.textContent = "";
      if (!items.length) {
        status.textContent = box.getAttribute("data-none");
        list.hidden = true;
        return;
      }
      items.forEach(function (item) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = item.name;
        if (item.detail) {
          var meta = document.createElement("span");
          meta.className = "meta";
          meta.textContent = item.detail;
          b.appendChild(meta);
        }
        b.addEventListener("click", function () { choose(item); });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = false;
      status.textContent = box.getAttribute("data-count").replace("{num}", String(items.length));
    }
    function lookup() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (!q) { close(); status.textContent = ""; return; }
      fetch(box.getAttribute("data-lookup") + "?q=" + encodeURIComponent(q),
        { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { if (input.value.trim() === q) { show(data.items || []); } })
        .catch(function () { /* the server still takes a typed name */ });
    }
    input.addEventListener("input", function () {
      hidden.value = "";  // a changed name no longer means the chosen id
      status.textContent = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        var first = buttons()[0];
        if (first) { first.focus(); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", function (event) {
      var all = buttons();
      var at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < all.length - 1) { event.preventDefault(); all[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : input).focus(); }
      if (event.key === "Escape") { close(); input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) { list.hidden = true; }
    });
  }

  menu();
  document.querySelectorAll(".share[data-share-url]").forEach(share);
  document.querySelectorAll(".picker[data-lookup]").forEach(picker);
})();
