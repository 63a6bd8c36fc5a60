"""Reading an uploaded Excel workbook (.xlsx) safely, shared by every import (the members' roster, question banks).

`open_xlsx(upload, limit, refuse)` checks, before anything is decompressed or parsed: the size, that it is a zip
with the parts of an .xlsx (not an old .xls, not a Word document), that it is not far larger inside than outside (a
zip bomb) and not protected by a password; then it opens it read-only, keeping formulas as text and no external
links. Each refusal is `refuse(reason)`, the module's own exception with its own words (a roster, a question
file); the reasons are the keys of `REASONS`. `header_key(text)` reduces a header cell to its name.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable
from typing import Any

# What the uncompressed parts of a workbook may add up to, as a multiple of the upload limit: a real roster's
# sheet compresses about 10 times; a zip bomb claims thousands.
UNCOMPRESSED_FACTOR = 20
MAX_PARTS = 1000
REASONS = ("empty", "too_big", "xls", "not_xlsx", "word", "bomb", "password", "damaged")


def open_xlsx(upload, limit: int, refuse: Callable[[str], Exception]):
    from openpyxl import load_workbook

    if upload.size == 0:
        raise refuse("empty")
    if upload.size > limit:
        raise refuse("too_big")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    not_xlsx = "xls" if head.startswith(b"\xd0\xcf\x11\xe0") else "not_xlsx"
    if not head.startswith(b"PK\x03\x04"):
        raise refuse(not_xlsx)
    try:
        entries = zipfile.ZipFile(upload).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse(not_xlsx) from None
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names:
        raise refuse("word")
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise refuse(not_xlsx)
    if sum(entry.file_size for entry in entries) > limit * UNCOMPRESSED_FACTOR or len(entries) > MAX_PARTS:
        raise refuse("bomb")
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise refuse("password")
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - any parsing failure of a damaged file is the user's to fix
        raise refuse("damaged") from error


def header_key(text: Any) -> str:
    """A header cell reduced to its name: spaces, a required-mark asterisk and a remark in brackets removed."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"[(（\[【].*?[)）\]】]", "", value)
    return re.sub(r"[\s*＊:：]", "", value)
