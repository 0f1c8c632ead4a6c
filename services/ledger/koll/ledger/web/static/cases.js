/* The case list and a case's page: no inline script, the page's data in <script type="application/json">. */
(function () {
  "use strict";

  function selectAll() {
    var all = document.getElementById("select-all");
    if (!all) return;
    var boxes = function () { return document.querySelectorAll('#case-list input[name="case"]'); };
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
    });
  }

  function caseMap() {
    var data = document.getElementById("koll-case-map");
    if (!data || !window.Koll || !window.L) return;
    window.Koll.findings(JSON.parse(data.textContent));
  }

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
    caseMap();
  });
})();
