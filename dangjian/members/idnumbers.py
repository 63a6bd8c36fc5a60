"""Mainland resident ID-card numbers (GB 11643-1999): format, date of birth and the check character."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

_FORMAT = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalize(raw: str) -> str:
    """Spaces removed, a lower-case x made upper-case, full-width digits made ASCII."""
    table = {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}
    table.update({ord("ｘ"): ord("X"), ord("Ｘ"): ord("X"), ord("x"): ord("X")})
    return "".join((raw or "").translate(table).split())


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def problem(number: str) -> str | None:
    """Why `number` (normalized) is not a valid 18-character ID-card number, or None when it is."""
    if not _FORMAT.match(number):
        return _("An ID-card number has 18 characters: 17 digits and a last digit or X.")
    if birth_date(number) is None:
        return _("The date of birth inside the ID-card number is not a real date.")
    if check_character(number[:17]) != number[17]:
        return _("The ID-card number's check character does not match: please check each digit.")
    return None


def masked(number: str) -> str:
    """The first 3 and the last 2 characters: 110***********123X → shown as 110*************3X."""
    if len(number) < 6:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
