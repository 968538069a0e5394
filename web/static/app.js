// HRSS open data catalogue: the preview table (rows API, filters, sort, keyset paging),
// auto-submitting selects and copy buttons. No library, nothing loaded from other hosts.
"use strict";

function $(id) { return document.getElementById(id); }

function format(text, values) {
  return text.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
}

function setupAutosubmit() {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
}

function setupCopy() {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = $(button.dataset.copy).textContent;
      var done = function () {
        var label = button.textContent;
        button.textContent = button.dataset.done;
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { selectText(button); });
      } else {
        selectText(button);
      }
    });
  });
}

function selectText(button) {
  var range = document.createRange();
  range.selectNodeContents($(button.dataset.copy));
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function Preview(section) {
  this.config = JSON.parse(section.dataset.config);
  this.t = this.config.t;
  this.table = $("pv-table-el");
  this.status = $("pv-status");
  this.filters = [];
  this.sort = "";
  this.cursors = [null];
  this.page = 0;
  this.limit = 20;
  var self = this;
  $("pv-table").addEventListener("change", function () { self.choose(this.value); });
  $("preview-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("pv-value").value.trim();
    if (!value) { return; }
    self.filters.push([$("pv-field").value + $("pv-op").value, value]);
    $("pv-value").value = "";
    self.restart();
  });
  $("pv-reset").addEventListener("click", function () {
    self.filters = [];
    self.sort = "";
    self.restart();
  });
  $("pv-next").addEventListener("click", function () { self.page += 1; self.load(); });
  $("pv-prev").addEventListener("click", function () { self.page -= 1; self.load(); });
  this.choose($("pv-table").value);
}

Preview.prototype.choose = function (name) {
  this.resource = this.config.tables.filter(function (t) { return t.name === name; })[0];
  var fields = $("pv-field");
  fields.textContent = "";
  this.resource.fields.forEach(function (field) {
    var option = document.createElement("option");
    option.value = field.name;
    option.textContent = field.title ? field.title + " (" + field.name + ")" : field.name;
    fields.appendChild(option);
  });
  this.filters = [];
  this.sort = "";
  this.restart();
};

Preview.prototype.restart = function () {
  this.cursors = [null];
  this.page = 0;
  this.showFilters();
  this.load();
};

Preview.prototype.url = function () {
  var params = new URLSearchParams();
  params.set("limit", String(this.limit));
  if (this.sort) { params.set("sort", this.sort); }
  this.filters.forEach(function (f) { params.append(f[0], f[1]); });
  var cursor = this.cursors[this.page];
  if (cursor) { params.set("next", cursor); }
  return this.config.api + encodeURIComponent(this.resource.name) + "/rows?" + params.toString();
};

Preview.prototype.load = function () {
  var self = this;
  var url = this.url();
  $("pv-api").href = url;
  this.status.textContent = "…";
  fetch(url, { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    })
    .then(function (answer) {
      if (!answer.ok) {
        self.status.textContent = answer.body.detail || answer.body.title || "Error";
        self.status.setAttribute("role", "alert");
        return;
      }
      self.status.setAttribute("role", "status");
      self.cursors[self.page + 1] = answer.body.next;
      self.render(answer.body);
    })
    .catch(function () { self.status.textContent = "Error"; });
};

Preview.prototype.render = function (page) {
  var self = this;
  var head = this.table.tHead;
  var body = this.table.tBodies[0];
  head.textContent = "";
  body.textContent = "";
  var row = head.insertRow();
  var titles = {};
  this.resource.fields.forEach(function (f) { titles[f.name] = f.title; });
  page.fields.forEach(function (field) {
    var th = document.createElement("th");
    th.scope = "col";
    var button = document.createElement("button");
    button.type = "button";
    button.title = self.t.preview_sort;
    var arrow = self.sort === field.name ? " ▲" : self.sort === "-" + field.name ? " ▼" : "";
    button.textContent = (titles[field.name] || field.name) + arrow;
    if (arrow) { th.setAttribute("aria-sort", arrow === " ▲" ? "ascending" : "descending"); }
    button.addEventListener("click", function () {
      self.sort = self.sort === field.name ? "-" + field.name : field.name;
      self.restart();
    });
    th.appendChild(button);
    row.appendChild(th);
  });
  page.rows.forEach(function (record) {
    var tr = body.insertRow();
    page.fields.forEach(function (field) {
      var td = tr.insertCell();
      var value = record[field.name];
      td.textContent = value === null || value === undefined ? "" : String(value);
      if (field.type === "number" || field.type === "integer") { td.className = "num"; }
    });
  });
  var first = this.page * this.limit + 1;
  var total = page.total === null ? "?" : (page.total_exact ? "" : "≈") + page.total;
  this.status.textContent = page.rows.length
    ? format(this.t.preview_status, { from: first, to: first + page.rows.length - 1, total: total })
    : this.t.preview_empty;
  $("pv-prev").disabled = this.page === 0;
  $("pv-next").disabled = !page.next;
};

Preview.prototype.showFilters = function () {
  var self = this;
  var list = $("pv-filters");
  list.textContent = "";
  this.filters.forEach(function (filter, position) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = filter[0] + " = " + filter[1] + " ×";
    button.addEventListener("click", function () {
      self.filters.splice(position, 1);
      self.restart();
    });
    item.appendChild(button);
    list.appendChild(item);
  });
};

document.addEventListener("DOMContentLoaded", function () {
  setupAutosubmit();
  setupCopy();
  var section = $("preview");
  if (section && section.dataset.config) { new Preview(section); }
});
