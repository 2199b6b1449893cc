// Receipts in the claim editor: upload (drop, camera, per line), live OCR status, prefill of empty
// fields only, low-confidence highlighting, and a viewer with zoom and rotate.
(function () {
  "use strict";
  var form = document.getElementById("claim-form");
  if (!form || !form.dataset.statusUrl) {
    document.querySelectorAll("[data-attach]").forEach(function (el) { el.hidden = true; });
    return;
  }
  var t = JSON.parse(document.getElementById("editor-i18n").textContent || "{}");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var versionInput = form.querySelector("input[name=version]");
  var totalForms = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var template = document.getElementById("empty-line");
  var linesBox = form.querySelector("[data-lines]");
  var errorBox = form.querySelector("[data-upload-error]");
  var polling = null;
  var LOW = 0.7;
  var FIELDS = { expense_date: "issue_date", amount: "total", vendor: "vendor", registration_number: "registration_number" };

  function rowForLine(lineId) {
    var input = form.querySelector("input[name$='-id'][value='" + lineId + "']");
    return input ? input.closest("[data-line]") : null;
  }

  function addRowForLine(lineId) {
    var index = parseInt(totalForms.value, 10);
    var wrapper = document.createElement("div");
    wrapper.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = wrapper.firstElementChild;
    row.querySelector("input[name$='-id']").value = lineId;
    row.querySelector("input[name$='-id']").setAttribute("value", lineId);
    // A blank first row left from "new claim" is replaced by the receipt's line.
    linesBox.appendChild(row);
    totalForms.value = String(index + 1);
    form.dispatchEvent(new Event("input"));
    return row;
  }

  function upload(files, lineId) {
    if (!files.length) return;
    var data = new FormData();
    Array.prototype.forEach.call(files, function (f) { data.append("files", f); });
    if (lineId) data.append("line", lineId);
    if (errorBox) errorBox.textContent = t.uploading;
    fetch(form.dataset.uploadUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { if (errorBox) errorBox.textContent = res.body.message; return; }
        if (errorBox) errorBox.textContent = "";
        if (versionInput) versionInput.value = res.body.version;
        res.body.receipts.forEach(function (r) { if (!rowForLine(r.line)) addRowForLine(r.line); });
        refresh();
      })
      .catch(function () { if (errorBox) errorBox.textContent = "⚠"; });
  }

  function fillEmpty(row, result) {
    Object.keys(FIELDS).forEach(function (name) {
      var input = row.querySelector("[name$='-" + name + "']");
      var value = result[FIELDS[name]];
      if (!input || value === null || value === undefined || value === "") return;
      var confidence = (result.confidence || {})[FIELDS[name]];
      if (input.value === "") {  // never overwrite what the employee typed
        input.value = name === "amount" ? String(value) : value;
        input.closest(".field").classList.add("is-ocr");
        input.closest(".field").classList.toggle("is-low-confidence", confidence !== undefined && confidence < LOW);
        if (confidence !== undefined && confidence < LOW) input.title = t.lowConfidence;
      }
    });
    var tax = row.querySelector("[name$='-tax_category']");
    var rates = Object.keys(result.tax_breakdown || {});
    if (tax && tax.value === "" && rates.length === 1) { tax.value = rates[0] === "8" ? "reduced" : "standard"; }
    form.dispatchEvent(new Event("input"));
  }

  // A receipt with 10% and 8% items was split by the server into one line per rate: this row takes the
  // 10% part, the 8% line (added to the form if new) the rest, and the same purchase details.
  var SHARED = ["category", "payment_method", "project", "description", "attendee_count", "attendee_names"];
  function fillByRate(row, result, part, version) {
    var other = rowForLine(part.line);
    if (!other) {
      other = addRowForLine(part.line);
      if (versionInput) versionInput.value = version;  // the split bumped the claim's version
    }
    var breakdown = result.tax_breakdown || {};
    fillEmpty(row, Object.assign({}, result, { total: part.receipt_line_amount, tax_breakdown: { "10": breakdown["10"] } }));
    SHARED.forEach(function (name) {
      var from = row.querySelector("[name$='-" + name + "']"), to = other.querySelector("[name$='-" + name + "']");
      if (from && to && to.value === "" && from.value !== "") to.value = from.value;
    });
    fillEmpty(other, Object.assign({}, result, { total: part.amount, tax_breakdown: { "8": breakdown["8"] } }));
    row.querySelector("[data-rate-note]").textContent = t.rateSplit;
    other.querySelector("[data-rate-note]").textContent = t.rateLine;
  }

  function renderReceipt(r) {
    var el = document.createElement("div");
    el.className = "receipt receipt--" + r.status;
    el.dataset.receiptId = r.id;
    el.innerHTML = '<img alt="" loading="lazy"><span class="badge"></span><span class="receipt__actions"></span>';
    el.querySelector("img").src = r.thumbnail;
    el.querySelector("img").addEventListener("click", function () { openViewer(r); });
    el.querySelector(".badge").textContent = r.status_label + (r.low_resolution ? " · " + t.lowRes : "");
    if (r.error) { el.title = r.error; el.querySelector(".badge").textContent += " — " + r.error; }
    var actions = el.querySelector(".receipt__actions");
    [["reread", t.reread], ["delete", t.remove]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn btn--ghost btn--small"; b.textContent = pair[1];
      b.addEventListener("click", function () {
        fetch("/claims/receipts/" + r.id + "/" + pair[0] + "/", { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
          .then(function () { refresh(); });
      });
      actions.appendChild(b);
    });
    return el;
  }

  function refresh() {
    fetch(form.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var busy = false;
        form.querySelectorAll("[data-receipts]").forEach(function (box) { box.innerHTML = ""; });
        var split = {};
        (body.rate_lines || []).forEach(function (p) { split[p.receipt_line] = p; });
        body.receipts.forEach(function (r) {
          var row = rowForLine(r.line) || addRowForLine(r.line);
          row.querySelector("[data-receipts]").appendChild(renderReceipt(r));
          if (r.status === "pending" || r.status === "processing") busy = true;
          if (r.result && split[r.line]) fillByRate(row, r.result, split[r.line], body.version);
          else if (r.result) fillEmpty(row, r.result);
        });
        form.querySelectorAll("[data-line]").forEach(function (row) {
          var id = row.querySelector("input[name$='-id']").value;
          var dup = row.querySelector("[data-duplicates]");
          if (dup) dup.textContent = (body.duplicates[id] || []).join(" ");
        });
        clearTimeout(polling);
        if (busy) polling = setTimeout(refresh, 1500);
      });
  }

  // Viewer: zoom and rotate are CSS transforms on the orientation-corrected preview.
  var viewer = document.querySelector("[data-viewer]");
  var img = viewer.querySelector("[data-viewer-img]");
  var scale = 1, angle = 0;
  function apply() { img.style.transform = "rotate(" + angle + "deg) scale(" + scale + ")"; }
  function openViewer(r) {
    scale = 1; angle = 0; apply();
    img.src = r.preview;
    viewer.querySelector("[data-original]").href = r.original;
    viewer.hidden = false;
  }
  viewer.addEventListener("click", function (e) {
    var zoom = e.target.closest("[data-zoom]");
    if (zoom) { scale = Math.min(6, Math.max(0.3, scale * parseFloat(zoom.dataset.zoom))); apply(); }
    if (e.target.closest("[data-rotate]")) { angle = (angle + 90) % 360; apply(); }
    if (e.target.closest("[data-close]") || e.target === viewer) viewer.hidden = true;
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") viewer.hidden = true; });

  // Drop zone and pickers.
  var zone = form.querySelector("[data-dropzone]");
  if (zone) {
    ["dragenter", "dragover"].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add("is-over"); }); });
    ["dragleave", "drop"].forEach(function (n) { zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove("is-over"); }); });
    zone.addEventListener("drop", function (e) { upload(e.dataTransfer.files); });
    zone.querySelector("[data-dropzone-input]").addEventListener("change", function (e) { upload(e.target.files); e.target.value = ""; });
  }
  form.addEventListener("change", function (e) {
    if (!e.target.matches("[data-receipt-input]")) return;
    var row = e.target.closest("[data-line]");
    var id = row.querySelector("input[name$='-id']").value;
    if (!id) { if (errorBox) errorBox.textContent = t.saveFirst; return; }
    upload(e.target.files, id);
    e.target.value = "";
  });
  refresh();
})();
