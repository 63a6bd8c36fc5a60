// Progressive enhancement of the report form (the form works without it; the server checks everything):
// only the kinds of conduct of the chosen discipline are offered, the name and phone fields show only
// for a real-name report (and are not sent otherwise), and the receiving unit follows the chosen place.
// Nothing is stored on the phone and nothing is asked of the server.
(() => {
  const form = document.querySelector("form[data-report-form]");
  if (!form) return;
  const read = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  };
  const kinds = read("report-kinds");
  const recipients = read("report-recipients");

  const discipline = form.elements.namedItem("discipline");
  const kind = form.elements.namedItem("subcategory");
  if (discipline && kind) {
    const placeholder = kind.querySelector('option[value=""]').cloneNode(true);
    const showKinds = () => {
      const chosen = kind.value;
      const names = kinds[discipline.value] || [];
      kind.replaceChildren(placeholder.cloneNode(true));
      for (const name of names) {
        kind.append(new Option(name, name, false, name === chosen));
      }
      kind.disabled = names.length === 0;
    };
    discipline.addEventListener("change", showKinds);
    showKinds();
  }

  const realName = () => {
    const checked = form.querySelector('input[name="real_name"]:checked');
    return checked !== null && checked.value === "1";
  };
  const showPerson = () => {
    const shown = realName();
    for (const group of form.querySelectorAll("[data-real-name-only]")) {
      group.hidden = !shown;
      for (const input of group.querySelectorAll("input")) input.disabled = !shown;
    }
  };
  for (const radio of form.querySelectorAll('input[name="real_name"]')) {
    radio.addEventListener("change", showPerson);
  }
  showPerson();

  const place = form.elements.namedItem("organization");
  const shown = form.querySelector("[data-recipient]");
  if (place && shown) {
    const none = shown.dataset.none || shown.textContent;
    const showRecipient = () => {
      shown.textContent = recipients[place.value] || none;
    };
    place.addEventListener("change", showRecipient);
  }
})();
