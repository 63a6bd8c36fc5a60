"""How fast people may speak: per person in a room, a slower lane for new accounts and new arrivals, and a ceiling
per room; also how often a person joins rooms or changes a nickname, and asks questions. Counters live in the shared
limits cache (core.throttle), so every process and server counts together; nothing about them reaches the database.

- Messages (`check`, called by actions.post_message before anything is stored): EXCHANGE_PERSON_PER_MINUTE per
  person in a room; EXCHANGE_NEW_PERSON_PER_MINUTE for an account, or a membership, younger than
  EXCHANGE_NEW_ACCOUNT_DAYS (the slower lane); EXCHANGE_ROOM_PER_MINUTE for the whole room. The room's moderators
  and the staff speaking for its organization are never in the slower lane, and the room's ceiling does not silence
  them (they are the ones who calm a flood); they are counted all the same.
- Joining a room or changing a nickname (`check_join`): EXCHANGE_JOINS_PER_HOUR per person.
- Questions to an organization (`check_question`): EXCHANGE_QUESTIONS_PER_HOUR per person (half, at least one, in
  the slower lane).

Each refusal is a `TooFast` naming the wait in the person's language.
"""

from __future__ import annotations

import datetime
import math
import time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError
from dangjian.core.throttle import limits_cache

from .models import Membership, Room

WINDOW = 60
HOUR = 3600


class TooFast(ActionError):
    """Refused by a rate limit; `retry_after` seconds until the window turns."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def is_new_account(user) -> bool:
    since = timezone.now() - datetime.timedelta(days=settings.EXCHANGE_NEW_ACCOUNT_DAYS)
    return user.date_joined > since


def is_new(user, membership: Membership) -> bool:
    """In the slower lane: an account, or a membership, younger than EXCHANGE_NEW_ACCOUNT_DAYS."""
    since = timezone.now() - datetime.timedelta(days=settings.EXCHANGE_NEW_ACCOUNT_DAYS)
    return user.date_joined > since or membership.joined_at > since


def _count(key: str, seconds: int = WINDOW) -> int:
    cache = limits_cache()
    cache.add(key, 0, seconds + 5)
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, seconds + 5)
        return 1


def _window(seconds: int) -> tuple[int, int]:
    """The current window's number and the seconds until it turns."""
    now = time.time()
    return int(now // seconds), max(1, seconds - int(now % seconds))


def _exempt(user, room: Room) -> bool:
    from . import access

    return access.may_moderate(user, room) or access.speaks_officially(user, room)


def person_limit(user, room: Room, membership: Membership) -> int:
    if is_new(user, membership) and not _exempt(user, room):
        return settings.EXCHANGE_NEW_PERSON_PER_MINUTE
    return settings.EXCHANGE_PERSON_PER_MINUTE


def check(user, room: Room, membership: Membership) -> None:
    """Count one message; refuse it (TooFast) past the person's or the room's limit."""
    window, retry_after = _window(WINDOW)
    if _count(f"exchange:p:{room.pk}:{user.pk}:{window}") > person_limit(user, room, membership):
        raise TooFast(
            _("You are sending messages too fast. Please wait %(s)s seconds.") % {"s": retry_after}, retry_after
        )
    if _count(f"exchange:r:{room.pk}:{window}") > settings.EXCHANGE_ROOM_PER_MINUTE and not _exempt(user, room):
        raise TooFast(_("This room is very busy. Please wait %(s)s seconds.") % {"s": retry_after}, retry_after)


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def check_join(user) -> None:
    """Count one join of a room or change of nickname (the rooms area calls it before the write)."""
    window, retry_after = _window(HOUR)
    if _count(f"exchange:j:{user.pk}:{window}", HOUR) > settings.EXCHANGE_JOINS_PER_HOUR:
        raise TooFast(
            _("You have joined rooms or changed nicknames too often. Please wait %(m)s minutes.")
            % {"m": _minutes(retry_after)},
            retry_after,
        )


def check_question(user) -> None:
    """Count one question to an organization (the questions area calls it before the write)."""
    window, retry_after = _window(HOUR)
    limit = settings.EXCHANGE_QUESTIONS_PER_HOUR
    if is_new_account(user):
        limit = max(1, limit // 2)
    if _count(f"exchange:q:{user.pk}:{window}", HOUR) > limit:
        raise TooFast(
            _("You have asked many questions in a short time. Please wait %(m)s minutes.")
            % {"m": _minutes(retry_after)},
            retry_after,
        )
