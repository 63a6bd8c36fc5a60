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

// A 显示/隐藏 button after each password field marked data-reveal (the query password). Without
// JavaScript there is no button and the field works as a plain password field.
document.querySelectorAll("input[data-reveal]").forEach((input) => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary reveal-toggle";
  button.setAttribute("aria-controls", input.id);
  button.setAttribute("aria-pressed", "false");
  button.textContent = input.dataset.revealShow;
  button.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", String(shown));
    button.textContent = shown ? input.dataset.revealHide : input.dataset.revealShow;
  });
  const wrapper = document.createElement("span");
  wrapper.className = "reveal-field";
  input.replaceWith(wrapper);
  wrapper.append(input, button);
});
