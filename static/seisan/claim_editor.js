// Claim editor: add/remove lines without a reload and keep the totals live while typing.
// The server recomputes everything on save; this only previews with the same integer rule.
(function () {
  "use strict";
  var form = document.getElementById("claim-form");
  if (!form) return;
  var categories = JSON.parse(document.getElementById("category-data").textContent || "{}");
  var t = JSON.parse(document.getElementById("editor-i18n").textContent || "{}");
  var rates = JSON.parse(form.dataset.rates || "{}");
  var rounding = form.dataset.rounding || "floor";
  var linesBox = form.querySelector("[data-lines]");
  var totalForms = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var template = document.getElementById("empty-line");

  function yen(n) { return (n < 0 ? "-" : "") + "¥" + Math.abs(n).toLocaleString("ja-JP"); }

  function parseYen(value) {
    if (!value) return null;
    var s = value.normalize ? value.normalize("NFKC") : value;
    s = s.replace(/[¥円,\s\\]/g, "");
    if (!/^-?\d+$/.test(s)) return null;
    return parseInt(s, 10);
  }

  // T × r / (100 + r) with one rounding, in integers (domain.md R6.3).
  function taxIncluded(total, rate) {
    var divisor = 100 + rate, product = total * rate;
    var q = Math.floor(product / divisor), r = product - q * divisor;
    if (r === 0 || rounding === "floor") return q;
    if (rounding === "ceil") return q + 1;
    return q + (2 * r >= divisor ? 1 : 0);
  }

  function field(line, name) { return line.querySelector("[name$='-" + name + "']"); }

  function lineState(line) {
    var amount = parseYen(field(line, "amount").value);
    var category = categories[field(line, "category").value] || null;
    var taxCategory = field(line, "tax_category").value || (category ? category.tax : "standard");
    var rate = taxCategory === "standard" ? rates.standard : taxCategory === "reduced" ? rates.reduced : 0;
    return { amount: amount, category: category, rate: rate, tax: amount && rate ? taxIncluded(amount, rate) : 0 };
  }

  function visibleLines() {
    return Array.prototype.filter.call(linesBox.querySelectorAll("[data-line]"), function (l) { return !l.hidden; });
  }

  function refresh() {
    var sums = { t10: 0, x10: 0, t8: 0, x8: 0, other: 0, all: 0 };
    visibleLines().forEach(function (line, index) {
      line.querySelector("[data-line-no]").textContent = index + 1;
      var s = lineState(line);
      var amount = s.amount && s.amount > 0 ? s.amount : 0;
      sums.all += amount;
      if (s.rate === 10) { sums.t10 += amount; sums.x10 += s.tax; }
      else if (s.rate === 8) { sums.t8 += amount; sums.x8 += s.tax; }
      else { sums.other += amount; }
      line.querySelector("[data-line-tax]").textContent = amount && s.rate ? t.tax + " " + s.rate + "%: " + yen(s.tax) : "";
      line.querySelector("[data-line-summary]").textContent = amount ? yen(amount) : "";
      var attendees = line.querySelector("[data-attendees]");
      var needsAttendees = !!(s.category && s.category.attendees);
      attendees.hidden = !needsAttendees;
      var count = parseInt(field(line, "attendee_count").value, 10);
      var pp = line.querySelector("[data-per-person]");
      pp.textContent = needsAttendees && amount && count > 0 ? t.perPerson + " " + yen(Math.ceil(amount / count)) + " — " + t.limit : "";
      var needsReceipt = !!(s.category && s.category.receipt && (s.category.receiptFrom === null || amount >= s.category.receiptFrom));
      line.querySelector("[data-field='no_receipt_reason']").classList.toggle("is-emphasised", needsReceipt);
      line.querySelector("[data-category-hint]").textContent = s.category && s.category.hint ? s.category.hint : "";
    });
    Object.keys(sums).forEach(function (key) {
      var el = form.querySelector("[data-total='" + key + "']");
      if (el) el.textContent = yen(sums[key]);
    });
  }

  function addLine() {
    var index = parseInt(totalForms.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html.trim();
    var line = wrapper.firstElementChild;
    var previous = visibleLines().slice(-1)[0];
    if (previous) {  // a new line usually shares the previous one's date and category
      ["expense_date", "category", "payment_method"].forEach(function (name) { field(line, name).value = field(previous, name).value; });
    }
    linesBox.appendChild(line);
    totalForms.value = String(index + 1);
    refresh();
    field(line, "expense_date").focus();
  }

  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-add-line]")) { event.preventDefault(); addLine(); return; }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) {
      event.preventDefault();
      var line = remove.closest("[data-line]");
      var id = field(line, "id");
      if (id && id.value) {  // existing lines are marked deleted so the server removes them on save
        field(line, "DELETE").checked = true;
        line.hidden = true;
      } else {
        line.hidden = true;
        line.querySelectorAll("input, select, textarea").forEach(function (el) { if (el.type !== "checkbox") el.value = ""; });
        field(line, "DELETE").checked = true;
      }
      refresh();
    }
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
