"""Rich text (an article's body, a lesson's text) made safe with nh3 (Ammonia) before it is stored: never a
hand-written filter. Shared by publishing and learning.

`clean(html, images=...)` keeps the few tags the editor (Trix) writes and a reader needs: paragraphs and line breaks,
bold/italic/underline/strike, three heading levels, quotes, preformatted text, lists, links (http, https,
mailto and our own paths) and pictures uploaded to this site (`images`: the pattern of the module's own image
view, its group 1 the image id; without it no picture is kept). Scripts, styles, event attributes, iframes, forms, external pictures and anything else are
removed; links get `rel="noopener noreferrer"`. `text_of(html)` gives the plain words (for `body_text`: the
search, feeds, the sensitive-word check).
"""

from __future__ import annotations

import html as html_lib
import re

import nh3
from django.utils.translation import gettext_lazy as _

TAGS = {
    "p",
    "div",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "del",
    "s",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "figure",
    "figcaption",
    "img",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
# Removed with everything inside them (the others are unwrapped: their text stays).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}

_LINK = re.compile(r"^(https?://[^\s]+|mailto:[^\s]+|/(?!/)[^\s]*)$", re.IGNORECASE)
_DIMENSION = re.compile(r"^\d{1,4}$")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|h1|h2|h3|blockquote|pre|li|figure|figcaption)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# The editor's own caption under a picture (its file name and size, class "attachment__caption" only); a caption
# the writer typed has the class "attachment__caption--edited" as well and is kept.
_FIGCAPTION = re.compile(r"<figcaption\b([^>]*)>.*?</figcaption\s*>", re.IGNORECASE | re.DOTALL)
_EMPTY_FIGCAPTION = re.compile(r"<figcaption>\s*</figcaption>")
_CLASS = re.compile(r"""\bclass\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _attribute(images, allowed_image):
    def check(tag: str, attribute: str, value: str) -> str | None:
        value = value.strip()
        if tag == "a" and attribute == "href":
            return value if _LINK.match(value) else None
        if tag == "img" and attribute == "src":
            match = images.match(value) if images is not None else None
            if match is None or (allowed_image is not None and not allowed_image(int(match.group(1)))):
                return None
            return value
        if tag == "img" and attribute in {"width", "height"}:
            return value if _DIMENSION.match(value) else None
        return value

    return check


def _drop_automatic_caption(match: re.Match) -> str:
    found = _CLASS.search(match.group(1))
    classes = found.group(1).strip("\"'").split() if found else []
    if "attachment__caption" in classes and "attachment__caption--edited" not in classes:
        return ""
    return match.group(0)


def clean(html: str, *, images: re.Pattern | None = None, allowed_image=None) -> str:
    """The HTML as it may be stored and shown. `images` is the pattern of the picture addresses a body may show
    (none without it); `allowed_image(image_id) -> bool`, when given, further limits the
    pictures to those the article may show (its own uploads); a picture it refuses is removed. The editor's
    automatic caption (file name and size) is dropped; a caption the writer typed stays."""
    cleaned = nh3.clean(
        _FIGCAPTION.sub(_drop_automatic_caption, html or ""),
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute(images, allowed_image),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A picture whose address was refused is removed whole, not left as an empty frame; an empty caption (the
    # editor writes one under every picture it loaded) says nothing.
    return _EMPTY_FIGCAPTION.sub("", _IMG_WITHOUT_SRC.sub("", cleaned)).strip()


def image_ids(html: str, images: re.Pattern) -> list[int]:
    """The image ids the (cleaned) HTML shows (addresses matching `images`), in order, each once."""
    found = (images.match(src) for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html or ""))
    return list(dict.fromkeys(int(match.group(1)) for match in found if match))


def text_of(html: str) -> str:
    """The plain words of (cleaned) HTML: blocks become lines, entities are decoded, runs of spaces collapse."""
    text = _BLOCK_END.sub("\n", html or "")
    text = html_lib.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


_BETWEEN_TAGS = re.compile(r">[ \t]*\n\s*<")
_FIGURE_IN_DIV = re.compile(r"<div>(<figure>(?:(?!</figure>).)*</figure>)</div>", re.DOTALL)


def _layout_free(html: str) -> str:
    return _FIGURE_IN_DIV.sub(r"\1", _BETWEEN_TAGS.sub("><", (html or "").strip()))


def same_content(html_a: str, html_b: str) -> bool:
    """Whether two cleaned bodies differ only in layout, not in what a reader sees: line breaks and spaces between
    tags, or a picture in a block of its own (the editor writes a body it loaded that way on a later save)."""
    return _layout_free(html_a) == _layout_free(html_b)


def editor_texts(**own) -> dict[str, str]:
    """The rich-text editor's toolbar and messages in the page's language, as the textarea's `data-lang-*`
    attributes (Trix.config.lang and core/static/core/editor.js read them). `own` adds or replaces what differs
    per module: the editor's label, what it says about pictures and uploads."""
    texts = {
        "bold": _("Bold"),
        "bullets": _("Bulleted list"),
        "code": _("Preformatted text"),
        "heading1": _("Heading"),
        "indent": _("Indent more"),
        "italic": _("Italic"),
        "link": _("Link"),
        "numbers": _("Numbered list"),
        "outdent": _("Indent less"),
        "quote": _("Quote"),
        "redo": _("Redo"),
        "remove": _("Remove"),
        "strike": _("Strikethrough"),
        "undo": _("Undo"),
        "unlink": _("Remove link"),
        "url": _("Web address"),
        "urlPlaceholder": _("Enter a web address…"),
        "attachFiles": _("Insert a picture"),
        **own,
    }
    return {f"data-lang-{key.lower()}": str(value) for key, value in texts.items()}
