// gdigraph pages: progressive enhancement only; every page works without this file.
(function () {
  "use strict";
  // "copy URI" buttons
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = "Gekopieerd";
        setTimeout(function () { button.textContent = "Kopieer URI"; }, 2000);
      });
    });
  });
  // a filter box above long tables
  document.querySelectorAll("table").forEach(function (table, index) {
    var rows = table.tBodies.length ? table.tBodies[0].rows : [];
    if (rows.length < 25) { return; }
    var id = "filter-" + index;
    var wrap = document.createElement("p");
    wrap.className = "table-filter";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = "Filter deze tabel: ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.setAttribute("aria-controls", table.id || "");
    wrap.appendChild(label);
    wrap.appendChild(input);
    var anchor = table.closest(".table-wrap") || table;
    anchor.parentNode.insertBefore(wrap, anchor);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(rows, function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  });
})();
