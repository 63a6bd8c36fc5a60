// Progressive enhancement for the feedback pages (no inline scripts: the CSP forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-template-for]");
  if (!select) return;
  const option = select.selectedOptions[0];
  const target = document.getElementById(select.dataset.templateFor);
  if (option && option.dataset.text && target) {
    target.value = option.dataset.text;
    target.focus();
  }
});
