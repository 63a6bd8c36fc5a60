/* Progressive enhancement only: every page works without it.
   On a phone the section tabs scroll sideways in one row: start with the current tab in view, and bring a tab
   reached with the keyboard fully into view. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".section-nav ul").forEach(function (row) {
    row.addEventListener("focusin", function (event) {
      var item = event.target.closest("li");
      if (!item) return;
      var edges = row.getBoundingClientRect(), box = item.getBoundingClientRect();
      if (box.left < edges.left) row.scrollLeft -= edges.left - box.left;
      else if (box.right > edges.right) row.scrollLeft += Math.ceil(box.right - edges.right);
    });
    var current = row.querySelector('[aria-current="page"]');
    if (!current || row.scrollWidth <= row.clientWidth) return;
    var edges = row.getBoundingClientRect(), box = (current.closest("li") || current).getBoundingClientRect();
    row.scrollLeft += box.left + box.width / 2 - (edges.left + edges.width / 2);
  });
});
