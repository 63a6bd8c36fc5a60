"""Console notices of the supervision module: who is told that something needs attention. A notice
never holds report content (no name, no text): only that a report arrived, is overdue, was objected to."""

from __future__ import annotations

from dangjian.accounts.permissions import SUPERVISION_HEAD, SUPERVISION_OFFICER, holders
from dangjian.organizations.models import Organization


def notify_unit(unit: Organization, message: str, include_head: bool = False) -> None:
    """Tell the unit's discipline officers (and, with `include_head`, its head) that something needs attention."""
    users = list(holders(unit, SUPERVISION_OFFICER))
    if include_head:
        users += list(holders(unit, SUPERVISION_HEAD))
    notify_users(users, message)


def notify_users(users, message: str) -> None:
    """A console notification (feedback's Notification, no case, no e-mail) to each user once."""
    from dangjian.feedback.models import Notification

    Notification.objects.bulk_create(
        [Notification(user=u, kind="supervision", message=message[:300]) for u in {u.pk: u for u in users}.values()]
    )
