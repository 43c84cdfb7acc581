// GOPS pledge form: the card element from Stripe.js (or localstripe's stand-in in development and tests).
// Loaded as a file after Stripe.js (both deferred), so the page's CSP needs no inline script. On submit the card
// becomes a token; its card id goes into the hidden payment_method field and the form posts normally (with
// its CSRF token). The server charges it through a PaymentIntent and answers with a message.
(function () {
  "use strict";
  var form = document.getElementById("pledge-form");
  var mount = document.getElementById("card-element");
  if (!form || !mount) { return; }
  var errors = document.getElementById("card-errors");
  var units = form.querySelector("input[name=units]");
  var output = document.getElementById("pledge-amount");
  var button = form.querySelector("button[type=submit]");
  var unitPrice = parseInt(form.getAttribute("data-unit-price"), 10) || 0;
  var locale = form.getAttribute("data-locale") || "ko";

  function won(amount) {
    var number = new Intl.NumberFormat(locale === "ko" ? "ko-KR" : "en-US").format(amount);
    return locale === "ko" ? number + "원" : "₩" + number;
  }

  function showAmount() {
    var n = parseInt(units.value, 10);
    output.textContent = n > 0 ? form.getAttribute("data-amount-label").replace("{amount}", won(n * unitPrice)) : "";
  }
  if (units && output) {
    units.addEventListener("input", showAmount);
    showAmount();
  }

  function say(message) {
    errors.textContent = message || "";
  }

  if (typeof window.Stripe !== "function") {
    say(form.getAttribute("data-card-failed"));
    return;
  }
  var stripe = window.Stripe(form.getAttribute("data-stripe-key"));
  var card = stripe.elements().create("card", {hidePostalCode: true});
  card.mount(mount);
  if (card.on) {
    card.on("change", function (event) { say(event && event.error ? event.error.message : ""); });
  }

  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();  // the form posts once the card is a token
    if (busy) { return; }
    busy = true;
    button.disabled = true;
    say("");
    function fail(message) {
      say(message);
      busy = false;
      button.disabled = false;
    }
    var asked;
    try {
      asked = stripe.createToken(card);
    } catch (e) {  // localstripe's element throws when nothing was typed
      fail(form.getAttribute("data-card-missing"));
      return;
    }
    Promise.resolve(asked).then(function (result) {
      if (!result || result.error || !result.token || !result.token.card) {
        var message = result && result.error && result.error.message;
        fail(message || form.getAttribute("data-card-missing"));
        return;
      }
      form.elements.payment_method.value = result.token.card.id;
      form.submit();
    }, function () {
      fail(form.getAttribute("data-card-missing"));
    });
  });
}());
