/* bahth: the facets (source, year) fold under their summary on a phone, so the first result
   is on the first screen; on a wider screen they sit beside the results, open. Without
   JavaScript they stay folded, and a tap on the summary opens them. */
(function () {
  "use strict";
  var fold = document.getElementById("facet-fold");
  if (!fold || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 44.01rem)");
  function follow() { fold.open = wide.matches; }
  follow();
  if (wide.addEventListener) wide.addEventListener("change", follow);
})();
