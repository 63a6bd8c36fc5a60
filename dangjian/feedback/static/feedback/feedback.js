// Progressive enhancement for the feedback pages (no inline scripts: the CSP forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// A reply template's 使用 button adds its text to the reply here, without reloading; without JavaScript the
// button sends the form and the server shows it again with the text added (what was typed is kept).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-template-use]");
  if (!button) return;
  const select = button.form && button.form.elements.namedItem("template");
  const option = select && select.selectedOptions[0];
  const target = document.getElementById(button.dataset.templateUse);
  if (!option || !option.dataset.text || !target) return;
  event.preventDefault();
  const typed = target.value.trim();
  target.value = typed ? `${typed}\n${option.dataset.text}` : option.dataset.text;
  target.focus();
});

// A 显示/隐藏 button after each password field marked data-reveal (the query password). Its words say what a
// press will do (no aria-pressed beside changing words, which would announce the state twice). Without
// JavaScript there is no button and the field works as a plain password field.
document.querySelectorAll("input[data-reveal]").forEach((input) => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary reveal-toggle";
  button.setAttribute("aria-controls", input.id);
  button.textContent = input.dataset.revealShow;
  button.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    button.textContent = shown ? input.dataset.revealHide : input.dataset.revealShow;
  });
  const wrapper = document.createElement("span");
  wrapper.className = "reveal-field";
  input.replaceWith(wrapper);
  wrapper.append(input, button);
});
