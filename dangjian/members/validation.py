"""The checks a member's record must pass, shared by the console form, the roster import and the API.

`problems(values, today=...)` takes plain values (as typed or read from a spreadsheet row, already converted to
dates where they are dates) and returns {field: [messages]} in the site's words; an empty dict means the record
may be written. Duplicates by ID-card number are checked across the whole installation (`duplicate_of`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from . import idnumbers
from .models import Member, add_years

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
OLDEST_BIRTH = datetime.date(1900, 1, 1)
ADULT_AGE = 18  # the Party admits people from 18 (党章 第一条)
# Between the parts of a name (阿依古丽·买买提): the middle dot as typed on Chinese keyboards, and spaces.
NAME_SEPARATORS = frozenset("·・‧•．. \u3000")


def name_is_plain(name: str) -> bool:
    """Letters of any script (with their combining marks), separator dots and spaces; no digits, markup (<, >) or
    control characters."""
    return all(ch in NAME_SEPARATORS or unicodedata.category(ch)[0] in "LM" for ch in name)


def problems(values: dict, *, today: datetime.date | None = None) -> dict[str, list[str]]:
    today = today or timezone.localdate()
    found: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        found.setdefault(field, []).append(message)

    name = (values.get("name") or "").strip()
    if not name:
        refuse("name", _("Enter the member's name."))
    elif len(name) > 40:
        refuse("name", _("A name has at most 40 characters."))
    elif not name_is_plain(name):
        refuse("name", _("A name may contain only Chinese characters, letters and the separator dot ·."))
    number = idnumbers.normalize(values.get("id_number") or "")
    if not number:
        refuse("id_number", _("Enter the member's ID-card number."))
    elif problem := idnumbers.problem(number):
        refuse("id_number", problem)
    mobile = (values.get("mobile") or "").strip()
    if mobile and not MOBILE_RE.match(mobile):
        refuse("mobile", _("Enter an 11-digit mainland mobile number starting with 1."))
    birth = values.get("birth_date")
    joined = values.get("joined_on")
    full = values.get("full_member_on")
    for field, day, label in (
        ("birth_date", birth, _("The date of birth")),
        ("joined_on", joined, _("The date of joining the Party")),
        ("full_member_on", full, _("The date of becoming a full member")),
    ):
        if day is not None and day > today:
            refuse(field, _("%(what)s cannot be in the future.") % {"what": label})
    if birth is None:
        refuse("birth_date", _("Enter the date of birth."))
    elif birth < OLDEST_BIRTH:
        refuse("birth_date", _("The date of birth is too early: please check the year."))
    elif number and not idnumbers.problem(number) and idnumbers.birth_date(number) != birth:
        refuse("birth_date", _("The date of birth does not match the one in the ID-card number."))
    if joined is None:
        refuse("joined_on", _("Enter the date the member joined the Party."))
    elif birth is not None and joined < add_years(birth, ADULT_AGE):
        refuse("joined_on", _("The date of joining is before the member's 18th birthday: please check the dates."))
    category = values.get("category") or Member.Category.FULL
    if category == Member.Category.FULL and full is not None and joined is not None and full < joined:
        refuse("full_member_on", _("A member becomes a full member after joining, not before."))
    if category == Member.Category.PROBATIONARY and full is not None:
        refuse("full_member_on", _("A probationary member has no date of becoming a full member yet."))
    return found


def duplicate_of(id_number: str, *, exclude_pk: int | None = None) -> Member | None:
    """The member (in any branch of the installation) already registered with this ID-card number."""
    found = Member.objects.filter(id_number_hash=Member.id_hash_of(id_number)).select_related("organization")
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()
