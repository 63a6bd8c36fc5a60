// A searchable picker for long lists (<select data-picker>): Tom Select, installed from npm and served as our
// own static file (vendor/tom-select). The plain select stays the form control: without JavaScript, or when
// Tom Select did not load, the page works as before. Texts come from the select's data attributes, translated
// on the server.
(() => {
  if (typeof window.TomSelect !== "function") return;
  const escape = (text) => {
    const span = document.createElement("span");
    span.textContent = text || "";
    return span.innerHTML;
  };
  for (const select of document.querySelectorAll("select[data-picker]")) {
    const d = select.dataset;
    const picker = new window.TomSelect(select, {
      plugins: select.multiple ? { remove_button: { title: d.pickerRemove || "" } } : {},
      maxOptions: null,
      placeholder: d.pickerPlaceholder || "",
      hidePlaceholder: false,
      // The list closes once a choice is made, so it never stays over the form's button (a single picker would
      // otherwise keep it open on a phone until a tap elsewhere).
      closeAfterSelect: true,
      // Filter as each character arrives. Tom Select's default waits 300 ms, and a choice made within that time
      // was followed by the delayed filter opening the list again, over the form's button.
      refreshThrottle: 0,
      // Labels are indented with ideographic spaces; the search ignores them.
      searchField: ["text"],
      render: {
        no_results: () => `<div class="no-results">${escape(d.pickerNoResults)}</div>`,
        option: (item, esc) => `<div>${esc(item.text)}</div>`,
        item: (item, esc) => `<div>${esc(item.text.trim())}</div>`,
      },
    });
    picker.wrapper.classList.add("picker");
    // The label now points at the picker's input; the hidden select keeps its name for assistive technology.
    const labelledBy = picker.control_input.getAttribute("aria-labelledby");
    if (labelledBy) select.setAttribute("aria-labelledby", labelledBy);
  }
})();
