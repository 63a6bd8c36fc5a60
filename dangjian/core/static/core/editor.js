// The rich-text editor of an article's body and a lesson's text: Trix (npm, served as our own static file vendor/trix). Progressive
// enhancement: without JavaScript, or when Trix did not load, the form's plain <textarea name="body"> stays and
// works. With it, the textarea is hidden and a <trix-editor> writes the HTML into a hidden input of the same
// name; the server cleans it (core/richtext.py) whatever it receives.
//
// Texts (the toolbar, the messages) come from the textarea's data-lang-* attributes, translated on the server.
// A picture inserted in the editor (dropped, pasted or chosen with the toolbar's button) is uploaded at once to
// data-image-upload, which checks it and rebuilds it (core/uploads.py) and answers with the picture's own
// address on this site; nothing else is accepted in the body. Other files go in the form's attachments field.
(() => {
  const area = document.querySelector("textarea[data-editor]");
  if (!area || !window.Trix || !window.customElements) return;
  const d = area.dataset;
  const KEYS = [
    "attachFiles", "bold", "bullets", "byte", "bytes", "captionPlaceholder", "code", "heading1", "indent",
    "italic", "link", "numbers", "outdent", "quote", "redo", "remove", "strike", "undo", "unlink", "url",
    "urlPlaceholder",
  ];
  const text = (key) => d["lang" + key.charAt(0).toUpperCase() + key.slice(1).toLowerCase()] || "";
  for (const key of KEYS) {
    if (text(key)) window.Trix.config.lang[key] = text(key);
  }
  // Only headings of one level, quotes, lists, preformatted text: what the server keeps.
  const ACCEPTED = /^image\/(jpeg|png|webp)$/;
  const form = area.form;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

  // The stored body is plain HTML (the server keeps no editor markup); a picture's size, caption and words
  // are given back to the editor as the attachment Trix would have written, so they survive another save.
  const forEditor = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html;
    for (const figure of template.content.querySelectorAll("figure")) {
      const img = figure.querySelector("img");
      if (!img || !img.getAttribute("src")) continue;
      const attributes = { contentType: "image", url: img.getAttribute("src") };
      for (const name of ["width", "height"]) {
        const value = parseInt(img.getAttribute(name) || "", 10);
        if (value > 0) attributes[name] = value;
      }
      if (img.getAttribute("alt")) attributes.alt = img.getAttribute("alt");
      const caption = figure.querySelector("figcaption");
      figure.setAttribute("data-trix-attachment", JSON.stringify(attributes));
      // A caption is an attribute of the picture's place in the text, not of the picture.
      if (caption && caption.textContent.trim()) {
        figure.setAttribute("data-trix-attributes", JSON.stringify({ caption: caption.textContent.trim() }));
      }
      figure.setAttribute("data-trix-content-type", "image");
      figure.className = "attachment attachment--preview";
    }
    return template.innerHTML;
  };

  const input = document.createElement("input");
  input.type = "hidden";
  input.name = area.name;
  input.id = area.id + "-html";
  input.value = forEditor(area.value);
  area.removeAttribute("name");
  area.hidden = true;
  area.required = false;

  const editor = document.createElement("trix-editor");
  editor.setAttribute("input", input.id);
  editor.id = area.id + "-editor";
  editor.classList.add("article-editor");
  const label = form.querySelector(`label[for="${area.id}"]`);
  if (label) {
    if (!label.id) label.id = area.id + "-label";
    editor.setAttribute("aria-labelledby", label.id);
    label.addEventListener("click", () => editor.focus());
  } else {
    editor.setAttribute("aria-label", text("editorLabel"));
  }
  const describedBy = area.getAttribute("aria-describedby");
  if (describedBy) editor.setAttribute("aria-describedby", describedBy);
  if (area.getAttribute("aria-invalid")) editor.setAttribute("aria-invalid", area.getAttribute("aria-invalid"));

  const status = document.createElement("p");
  status.className = "editor-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");


  const say = (message, isError) => {
    status.textContent = message || "";
    status.classList.toggle("error", Boolean(isError));
  };

  // Every picture needs words for those who cannot see it: a plain description (data-lang-picturealt) unless it
  // has its own.
  const describePictures = () => {
    if (!editor.editor) return;
    for (const attachment of editor.editor.getDocument().getAttachments()) {
      if (attachment.isPreviewable() && !attachment.getAttribute("alt")) {
        attachment.setAttributes({ alt: text("pictureAlt") });
      }
    }
  };
  editor.addEventListener("trix-initialize", describePictures);
  editor.addEventListener("trix-change", describePictures);

  editor.addEventListener("trix-file-accept", (event) => {
    // Without data-image-upload (a lesson's text) no file is accepted at all.
    if (!event.file || !d.imageUpload || !ACCEPTED.test(event.file.type)) {
      event.preventDefault();
      say(text("onlyPictures"), true);
    }
  });

  editor.addEventListener("trix-attachment-add", (event) => {
    const attachment = event.attachment;
    if (!attachment.file) return;
    const body = new FormData();
    body.append("file", attachment.file);
    if (csrf) body.append("csrfmiddlewaretoken", csrf.value);
    if (form.dataset.article) body.append("article", form.dataset.article);
    const request = new XMLHttpRequest();
    request.open("POST", d.imageUpload, true);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) attachment.setUploadProgress((progress.loaded / progress.total) * 100);
    });
    say(text("uploading"), false);
    request.addEventListener("load", () => {
      let answer = {};
      try {
        answer = JSON.parse(request.responseText);
      } catch (_error) {
        answer = {};
      }
      if (request.status === 200 && answer.url) {
        attachment.setAttributes({
          url: answer.url,
          width: answer.width,
          height: answer.height,
          alt: attachment.getAttribute("alt") || text("pictureAlt"),
        });
        say("", false);
      } else {
        attachment.remove();
        say(answer.error || text("uploadFailed"), true);
      }
    });
    request.addEventListener("error", () => {
      attachment.remove();
      say(text("uploadFailed"), true);
    });
    request.send(body);
  });

  area.after(input, editor, status);
})();
