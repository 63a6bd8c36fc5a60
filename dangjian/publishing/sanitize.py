"""An article body's HTML, made safe with nh3 (Ammonia) before it is stored: never a hand-written filter.

`clean(html)` keeps the few tags the editor (Trix) writes and a reader needs: paragraphs and line breaks,
bold/italic/underline/strike, three heading levels, quotes, preformatted text, lists, links (http, https,
mailto and our own paths) and pictures uploaded to this site (their URL is an `ArticleImage` view, see
`image_ids`). Scripts, styles, event attributes, iframes, forms, external pictures and anything else are
removed; links get `rel="noopener noreferrer"`. `text_of(html)` gives the plain words (for `body_text`: the
search, feeds, the sensitive-word check).
"""

from __future__ import annotations

import html as html_lib
import re

import nh3

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

# The only pictures a body may show: those uploaded to this site (publishing:article_image).
IMAGE_PATH = re.compile(r"^/articles/images/(\d+)/$")
_LINK = re.compile(r"^(https?://[^\s]+|mailto:[^\s]+|/(?!/)[^\s]*)$", re.IGNORECASE)
_DIMENSION = re.compile(r"^\d{1,4}$")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|h1|h2|h3|blockquote|pre|li|figure|figcaption)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def _attribute(allowed_image):
    def check(tag: str, attribute: str, value: str) -> str | None:
        value = value.strip()
        if tag == "a" and attribute == "href":
            return value if _LINK.match(value) else None
        if tag == "img" and attribute == "src":
            match = IMAGE_PATH.match(value)
            if match is None or (allowed_image is not None and not allowed_image(int(match.group(1)))):
                return None
            return value
        if tag == "img" and attribute in {"width", "height"}:
            return value if _DIMENSION.match(value) else None
        return value

    return check


def clean(html: str, *, allowed_image=None) -> str:
    """The HTML as it may be stored and shown. `allowed_image(image_id) -> bool`, when given, further limits the
    pictures to those the article may show (its own uploads); a picture it refuses is removed."""
    cleaned = nh3.clean(
        html or "",
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute(allowed_image),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A picture whose address was refused is removed whole, not left as an empty frame.
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


def image_ids(html: str) -> list[int]:
    """The ArticleImage ids the (cleaned) HTML shows, in order, each once."""
    found = re.findall(r'<img[^>]*\ssrc="/articles/images/(\d+)/"', html or "")
    return list(dict.fromkeys(int(pk) for pk in found))


def text_of(html: str) -> str:
    """The plain words of (cleaned) HTML: blocks become lines, entities are decoded, runs of spaces collapse."""
    text = _BLOCK_END.sub("\n", html or "")
    text = html_lib.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()
