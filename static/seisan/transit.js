/* Transit form: station autocomplete (<datalist>), fare suggestions, live round-trip doubling and the
   commuter-pass preview. Plain JS, no dependencies; the server recomputes everything on save. */
(function () {
  "use strict";

  function yen(n) { return "¥" + Math.max(0, Math.round(n || 0)).toLocaleString("ja-JP"); }
  function toInt(v) {
    var s = String(v || "").replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[,¥円\s]/g, "");
    return /^\d+$/.test(s) ? parseInt(s, 10) : null;
  }
  function debounce(fn, ms) { var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); }; }

  document.querySelectorAll("[data-transit-form]").forEach(function (form) {
    var list = form.querySelector("[data-station-list]");
    var stationsUrl = form.dataset.stationsUrl;
    form.querySelectorAll("[data-station]").forEach(function (input) {
      var lastQuery = "";
      input.addEventListener("input", debounce(function () {
        var q = input.value.trim();
        if (!q || q === lastQuery || !stationsUrl) return;
        lastQuery = q;
        fetch(stationsUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            data.results.forEach(function (name) {
              var opt = document.createElement("option");
              opt.value = name;
              list.appendChild(opt);
            });
          }).catch(function () {});
      }, 120));
    });
    if (form.id === "transit-form") initFare(form);
  });

  function initFare(form) {
    var i18n = JSON.parse((document.getElementById("transit-i18n") || {}).textContent || "{}");
    var el = function (name) { return form.querySelector("[name=" + name + "]"); };
    var fare = el("fare_oneway"), charges = el("charges_oneway"), deducted = el("deducted_fare_oneway");
    var from = el("from_station"), to = el("to_station"), date = el("expense_date"), mode = el("mode"), via = el("via");
    var source = form.querySelector("[data-fare-source]");
    var deductedWrap = form.querySelector("[data-deducted-wrap]");
    var passBox = form.querySelector("[data-pass-box]");
    var suggestBox = form.querySelector("[data-suggestions]"), suggestList = form.querySelector("[data-suggestion-list]");
    var providerError = form.querySelector("[data-provider-error]");
    var stationFlag = form.querySelector("[data-station-flag]");
    var state = { deduction: "none", autofilled: false };
    var calc = function (k) { return document.querySelector("[data-calc=" + k + "]"); };

    function radio(name) { var c = form.querySelector("[name=" + name + "]:checked"); return c ? c.value : ""; }
    function roundTrip() { return radio("round_trip") === "1"; }

    function recompute() {
      var f = toInt(fare.value) || 0, c = toInt(charges.value) || 0, times = roundTrip() ? 2 : 1;
      var claimed = f;
      if (state.deduction === "full") claimed = 0;
      else if (state.deduction === "partial" && toInt(deducted.value) !== null) claimed = Math.min(toInt(deducted.value), f);
      var gross = (f + c) * times, amount = (claimed + c) * times;
      calc("fare").textContent = yen(f);
      calc("charges").textContent = yen(c);
      calc("times").textContent = roundTrip() ? "× 2（" + yen(f + c) + " × 2）" : "× 1";
      calc("deducted").textContent = gross - amount ? "−" + yen(gross - amount) : yen(0);
      calc("amount").textContent = yen(amount);
      var m = mode.value, publicMode = ["train", "shinkansen", "bus"].indexOf(m) >= 0;
      document.querySelector("[data-tax-hint]").hidden = !publicMode;
      document.querySelector("[data-receipt-hint]").hidden = publicMode || m === "other";
    }

    function showSuggestions(items) {
      suggestList.innerHTML = "";
      items.forEach(function (s, i) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "suggest__item";
        b.dataset.suggestion = s.source;
        b.innerHTML = "<strong></strong> <span class='muted small'></span>";
        b.querySelector("strong").textContent = yen(s.fare_oneway) + (s.charges_oneway ? " + " + yen(s.charges_oneway) : "");
        b.querySelector("span").textContent = s.label;
        b.addEventListener("click", function () { apply(s, b); });
        suggestList.appendChild(b);
        if (i === 0 && (state.autofilled || !fare.value.trim())) apply(s, b);
      });
      suggestBox.hidden = items.length === 0;
    }

    function apply(s, button) {
      fare.value = s.fare_oneway;
      if (s.charges_oneway) charges.value = s.charges_oneway;
      if (s.via && !via.value) via.value = s.via;
      source.value = s.source;
      ["provider", "engine_version", "serialize_data"].forEach(function (k) { var f = el(k); if (f) f.value = s[k] || ""; });
      state.autofilled = true;
      suggestList.querySelectorAll(".suggest__item").forEach(function (x) { x.classList.toggle("is-used", x === button); });
      recompute();
      lookup();
    }

    var lookup = debounce(function () {
      var params = new URLSearchParams({
        from: from.value.trim(), to: to.value.trim(), date: date.value, mode: mode.value, fare_kind: radio("fare_kind"),
        round_trip: roundTrip() ? "1" : "0", fare: fare.value, charges: charges.value, deducted: deducted.value, via: via.value
      });
      if (!params.get("from")) return;
      fetch(form.dataset.fareUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var key = params.get("from") + "|" + params.get("to") + "|" + params.get("fare_kind");
          if (form.dataset.suggestKey !== key) { form.dataset.suggestKey = key; showSuggestions(data.suggestions); }
          providerError.hidden = !data.provider_error;
          providerError.textContent = data.provider_error || "";
          var unknown = data.from_unknown || data.to_unknown;
          stationFlag.hidden = !unknown;
          stationFlag.textContent = unknown ? "⚠ " + data.warnings.join(" ") : "";
          state.deduction = data.deduction;
          passBox.hidden = data.deduction === "none";
          passBox.classList.toggle("is-partial", data.deduction === "partial");
          passBox.querySelector("[data-pass-badge]").textContent = data.deduction === "partial" ? i18n.partial : i18n.full;
          passBox.querySelector("[data-pass-message]").textContent = data.deduction_message;
          deductedWrap.hidden = data.deduction !== "partial";
          recompute();
        }).catch(function () {});
    }, 200);

    [fare, charges, deducted].forEach(function (x) {
      x.addEventListener("input", function () { if (x === fare) { state.autofilled = false; source.value = "manual"; ["provider", "engine_version", "serialize_data"].forEach(function (k) { var f = el(k); if (f) f.value = ""; }); } recompute(); lookup(); });
    });
    [from, to, date, mode, via].forEach(function (x) { x.addEventListener("change", lookup); });
    [from, to].forEach(function (x) { x.addEventListener("input", lookup); });
    form.querySelectorAll("[name=round_trip], [name=fare_kind]").forEach(function (x) {
      x.addEventListener("change", function () { recompute(); lookup(); });
    });
    var swap = form.querySelector("[data-swap]");
    if (swap) swap.addEventListener("click", function () { var t = from.value; from.value = to.value; to.value = t; lookup(); });
    recompute();
    lookup();
  }
})();
