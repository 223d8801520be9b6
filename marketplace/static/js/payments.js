// The payment method page: Stripe.js collects the card or IBAN and confirms the SetupIntent in the
// browser; only its id is posted back to the platform, which reads the result from Stripe.
(function () {
  "use strict";

  // Back from a bank's page (3-D Secure, SEPA): post the SetupIntent's id on (the form carries the CSRF token).
  document.querySelectorAll("form[data-autosubmit-setup]").forEach(function (form) { form.submit(); });

  var form = document.querySelector("form[data-stripe-setup]");
  if (!form) { return; }
  var errors = form.querySelector("[data-payment-errors]");
  var button = form.querySelector("button[type=submit]");
  var confirmForm = document.getElementById(form.getAttribute("data-confirm-form"));
  if (typeof window.Stripe !== "function") {
    errors.textContent = "Le formulaire de Stripe n'a pas pu être chargé : rechargez la page ou réglez par virement.";
    button.disabled = true;
    return;
  }

  var stripe = window.Stripe(form.getAttribute("data-stripe-key"), { locale: "fr" });
  var secret = form.getAttribute("data-client-secret");
  var elements, element, confirm;
  if (typeof stripe.confirmSetup === "function") {
    // Stripe.js: the Payment Element offers a card or an IBAN (with its SEPA mandate).
    elements = stripe.elements({ clientSecret: secret, locale: "fr" });
    element = elements.create("payment");
    confirm = function () {
      return stripe.confirmSetup({
        elements: elements,
        redirect: "if_required",
        confirmParams: { return_url: form.getAttribute("data-return-url") }
      });
    };
  } else {
    // localstripe's stand-in for Stripe.js (development and tests) has a card element only.
    elements = stripe.elements();
    element = elements.create("card");
    confirm = function () { return stripe.confirmCardSetup(secret, { payment_method: { card: element } }); };
  }
  element.mount(form.querySelector("[data-payment-element]"));

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    Promise.resolve(confirm()).then(function (result) {
      if (result.error || !result.setupIntent) {
        errors.textContent = (result.error && result.error.message) || "L'enregistrement n'a pas abouti : recommencez.";
        button.disabled = false;
        return;
      }
      confirmForm.querySelector("input[name=setup_intent]").value = result.setupIntent.id;
      confirmForm.submit();
    }, function () {
      errors.textContent = "Stripe ne répond pas : réessayez dans un instant.";
      button.disabled = false;
    });
  });
})();
