/* One click, one submission. A form marked data-once-form, or one with buttons marked data-once (inside it
   or tied to it by form="…"), is sent once: a second submit is ignored and the buttons are disabled. The
   pressed button's name and value are kept in a hidden field, since a disabled button is not sent. A
   submission cancelled earlier (a confirm() answered "cancel") leaves the form as it was. */
(function () {
  "use strict";

  function onceButtons(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll("[data-once], button[type=submit], button:not([type])"));
    var outside = form.id ? Array.prototype.slice.call(document.querySelectorAll('[data-once][form="' + form.id + '"]')) : [];
    return inside.concat(outside);
  }

  function guarded(form) {
    return form.hasAttribute("data-once-form") || form.querySelector("[data-once]") ||
      (form.id && document.querySelector('[data-once][form="' + form.id + '"]'));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !guarded(form) || event.defaultPrevented) return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var submitter = event.submitter;
    if (submitter && submitter.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = submitter.name; hidden.value = submitter.value;
      form.appendChild(hidden);
    }
    setTimeout(function () { onceButtons(form).forEach(function (b) { b.disabled = true; }); }, 0);
  });
})();
