"""The platform's sensitive-word list (`core.SensitiveWord`, matched by core/sensitive.py): kept by the site's
administrators on one console page, used by every module that checks what people write (articles before review,
the exchange's messages, nicknames and questions).

- `may_keep_words(user)`: the system administrator, or MANAGE_SETTINGS on a top organization.
- `add_sensitive_words(actor, text, level, category)`: one word a line; a word already listed takes the new level.
- `read_word_file(upload)`: the words of an uploaded .txt (UTF-8 or GBK/GB18030, BOM stripped, at most
  WORD_FILE_MAX_BYTES); a binary file (an .xlsx or a .doc renamed .txt) is refused with InvalidInput.
- `export_text()`: the list as a .txt, one word a line (UTF-8 with a BOM, which Windows' Notepad reads).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import MANAGE_SETTINGS, scope_paths
from dangjian.core.history import InvalidInput, NotFound
from dangjian.core.models import SensitiveWord

MAX_WORDS = 5000
WORD_MAX_CHARS = 50
WORD_FILE_MAX_BYTES = 1024 * 1024


def may_keep_words(user) -> bool:
    """The system administrator, or an administrator of a top organization (MANAGE_SETTINGS on a root)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    # A root organization's path has one segment ("0000001/"); asked of the grants alone, no query.
    return any(path.count("/") == 1 for path in scope_paths(user, MANAGE_SETTINGS))


def _words_keeper(actor) -> None:
    if not may_keep_words(actor):
        raise PermissionDenied


def add_sensitive_words(actor, text: str, level: str, category: str = "") -> tuple[int, int]:
    """Add the words of `text` (one a line) at `level`; a word already listed gets the new level (and the category,
    when one is given). Returns (added, changed)."""
    _words_keeper(actor)
    if level not in SensitiveWord.Level.values:
        message = _("Choose what happens when a word is found.")
        raise InvalidInput({"level": [message]}, message)
    words = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not words:
        message = _("Enter at least one word.")
        raise InvalidInput({"words": [message]}, message)
    too_long = [word for word in words if len(word) > WORD_MAX_CHARS]
    if too_long:
        message = _("A word may have at most 50 characters: %(words)s") % {"words": "、".join(too_long[:5])}
        raise InvalidInput({"words": [message]}, message)
    if len(words) > MAX_WORDS:
        message = _("At most 5,000 words at once.")
        raise InvalidInput({"words": [message]}, message)
    category = (category or "").strip()[:30]
    added = changed = 0
    with transaction.atomic():
        existing = {w.word: w for w in SensitiveWord.objects.filter(word__in=words)}
        for word in dict.fromkeys(words):
            row = existing.get(word)
            if row is None:
                SensitiveWord.objects.create(word=word, level=level, category=category)
                added += 1
            elif row.level != level or (category and row.category != category):
                row.level = level
                row.category = category or row.category
                row.save(update_fields=["level", "category", "updated_at"])
                changed += 1
    return added, changed


def remove_sensitive_word(actor, word_id: int) -> None:
    _words_keeper(actor)
    with transaction.atomic():
        deleted = SensitiveWord.objects.filter(pk=word_id).delete()[0]
    if not deleted:
        raise NotFound


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({"file": [message]}, message)


def _looks_binary(data: bytes) -> bool:
    """A zip (.xlsx, .docx), an old Office file, a PDF or a picture, or text with NUL bytes or many control bytes."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return True
    if b"\x00" in data[:8192]:
        return True
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return bool(sample) and controls * 20 > len(sample)


def decode_word_file(data: bytes) -> str:
    """The text of a word file: UTF-8 (with or without a BOM), else GB18030 (which includes GBK); refused with a
    Chinese message when it is empty, too big, binary or neither encoding."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > WORD_FILE_MAX_BYTES:
        raise _refuse(_("The file is too big: a word list may be at most 1 MB."))
    if _looks_binary(data):
        raise _refuse(
            _(
                "This is not a text file (is it an Excel or Word file renamed?). Save the list as a .txt file, one word a line."
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(_("The file's characters could not be read: save it as UTF-8 or GBK text."))


def read_word_file(upload) -> str:
    """The words (one a line) of an uploaded .txt file."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".txt"):
        raise _refuse(_("Choose a .txt file, one word a line."))
    if upload.size > WORD_FILE_MAX_BYTES:
        raise _refuse(_("The file is too big: a word list may be at most 1 MB."))
    upload.seek(0)
    return decode_word_file(upload.read(WORD_FILE_MAX_BYTES + 1))


def import_word_file(actor, upload, level: str, category: str = "") -> tuple[int, int]:
    """Add the words of an uploaded .txt at `level` (see `add_sensitive_words`)."""
    _words_keeper(actor)
    return add_sensitive_words(actor, read_word_file(upload), level, category)


def export_text(actor) -> str:
    _words_keeper(actor)
    return "\ufeff" + "".join(f"{word}\r\n" for word in SensitiveWord.objects.values_list("word", flat=True))
