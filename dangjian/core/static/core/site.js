/* Progressive enhancement only: every page works without it.
   On a phone the section tabs scroll sideways in one row; start with the current tab in view. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".section-nav ul").forEach(function (row) {
    var current = row.querySelector('[aria-current="page"]');
    if (!current || row.scrollWidth <= row.clientWidth) return;
    var item = current.closest("li") || current;
    var left = item.offsetLeft - (row.clientWidth - item.offsetWidth) / 2;
    row.scrollLeft = Math.max(0, left);
  });
});
