"""An article body's HTML: `core.richtext` with the pictures an article may show, those uploaded to this site
(their URL is an `ArticleImage` view, publishing:article_image)."""

from __future__ import annotations

import re

from dangjian.core import richtext
from dangjian.core.richtext import same_content, text_of

__all__ = ["IMAGE_PATH", "clean", "image_ids", "same_content", "text_of"]

IMAGE_PATH = re.compile(r"^/articles/images/(\d+)/$")


def clean(html: str, *, allowed_image=None) -> str:
    return richtext.clean(html, images=IMAGE_PATH, allowed_image=allowed_image)


def image_ids(html: str) -> list[int]:
    """The ArticleImage ids the (cleaned) HTML shows, in order, each once."""
    return richtext.image_ids(html, IMAGE_PATH)
