/* Works listings: progressive enhancement only; the filter form works without this file.
   - On wide screens the filter sidebar starts open (on phones it stays a collapsed "Filters").
   - After htmx replaces the listing (filtering, paging), focus moves to the new results heading,
     so keyboard and screen reader users land on the new results. */
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 56rem)");

  function openFilters() {
    var filters = document.getElementById("filters");
    if (filters && wide.matches) filters.open = true;
  }

  openFilters();
  if (wide.addEventListener) wide.addEventListener("change", openFilters);

  document.addEventListener("htmx:afterSettle", function () {
    openFilters();
    var heading = document.getElementById("results-heading");
    if (heading) heading.focus();
  });
})();
