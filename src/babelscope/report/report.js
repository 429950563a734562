// babelscope report: sortable tables and downloads of the embedded rows. No network use.
(function () {
  "use strict";
  function keyOf(cell, numeric) {
    if (!cell) return null;
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      if (raw === null || raw === "") return null;
      var x = parseFloat(raw);
      return isNaN(x) ? null : x;
    }
    var t = cell.textContent.trim();
    return t === "" ? null : t;
  }
  function sortBy(table, col, th) {
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
      return { r: r, i: i, k: keyOf(r.cells[col], numeric) };
    });
    rows.sort(function (a, b) {
      if (a.k === null || b.k === null) {          // missing values always last
        if (a.k === null && b.k === null) return a.i - b.i;
        return a.k === null ? 1 : -1;
      }
      var c = numeric ? a.k - b.k : a.k.localeCompare(b.k, undefined, { numeric: true, sensitivity: "base" });
      return c !== 0 ? dir * c : a.i - b.i;         // ties keep their order: a stable sort
    });
    rows.forEach(function (x) { body.appendChild(x.r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, col, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, col, th); }
      });
    });
  });
  function data() {
    var el = document.getElementById("babelscope-data");
    return el ? JSON.parse(el.textContent) : { run: {}, rows: [] };
  }
  function save(name, text, type) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }
  function csv(rows) {
    var cols = [];
    rows.forEach(function (r) { Object.keys(r).forEach(function (k) { if (cols.indexOf(k) < 0) cols.push(k); }); });
    function cell(v) {
      if (v === null || v === undefined) return "";
      if (typeof v === "object") v = JSON.stringify(v);
      v = String(v);
      return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
    }
    return [cols.join(",")].concat(rows.map(function (r) { return cols.map(function (c) { return cell(r[c]); }).join(","); })).join("\n") + "\n";
  }
  document.querySelectorAll("[data-download]").forEach(function (b) {
    b.addEventListener("click", function () {
      var d = data(), id = d.run.run_id || "run";
      if (b.getAttribute("data-download") === "csv") save(id + ".csv", csv(d.rows), "text/csv");
      else save(id + ".json", JSON.stringify(d, null, 1), "application/json");
    });
  });
})();
