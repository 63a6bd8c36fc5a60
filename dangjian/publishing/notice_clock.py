"""Notices' periodic work: reminders of notices not signed off.

`remind_overdue_notices()` (the clock, `tasks.remind_overdue_notices`) reminds each receiver that has not signed
a live notice off from `NOTICE_REMINDER_DAYS` before its reply-by date on, and after it as overdue, at most once a
day per receiver (`reminded_at`, claimed by a conditional UPDATE, so two clocks never remind twice), and tells
the sender once a day how many receivers are overdue (`Notice.overdue_summary_on`, claimed the same way).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dangjian.accounts.permissions import SEND_NOTICES
from dangjian.notifications.api import notify, staff_holding

from . import notices
from .models import Notice, NoticeRecipient
from .notice_actions import signers


def _start_of_today() -> datetime.datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def remind_overdue_notices() -> dict:
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=settings.NOTICE_REMINDER_DAYS)
    midnight = _start_of_today()
    reminded = overdue_told = summaries = 0
    live = Notice.objects.filter(state=Notice.State.SENT, reply_by__isnull=False, reply_by__lte=soon)
    for notice in list(live.select_related("organization")):  # few: those near or past their date
        reply_by = notice.reply_by
        assert reply_by is not None  # filtered above
        overdue = reply_by < today
        with transaction.atomic():
            due = NoticeRecipient.objects.filter(notice=notice, signed_at__isnull=True).filter(
                Q(reminded_at__isnull=True) | Q(reminded_at__lt=midnight)
            )
            claimed = []
            for pk, organization_id in due.values_list("pk", "organization_id"):
                # Claimed one by one: the other clock's UPDATE of the same row finds it already reminded today.
                if (
                    NoticeRecipient.objects.filter(pk=pk)
                    .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=midnight))
                    .update(reminded_at=timezone.now(), reminders=F("reminders") + 1)
                ):
                    claimed.append(organization_id)
            if claimed:
                users = sorted({user for user, _org in signers(claimed, notice.role)})
                notify(
                    users,
                    notices.NOTICE_OVERDUE if overdue else notices.NOTICE_DUE_SOON,
                    notice,
                    organization=notice.organization,
                    org=notice.organization.short_name or notice.organization.name,
                    title=notice.title,
                    date=reply_by.isoformat(),
                )
                reminded += len(claimed)
                overdue_told += len(claimed) if overdue else 0
            if overdue:
                late = NoticeRecipient.objects.filter(notice=notice, signed_at__isnull=True).count()
                if late and (
                    Notice.objects.filter(pk=notice.pk)
                    .filter(Q(overdue_summary_on__isnull=True) | Q(overdue_summary_on__lt=today))
                    .update(overdue_summary_on=today)
                ):
                    told = [notice.created_by] if notice.created_by_id else []
                    notify(
                        told or staff_holding(SEND_NOTICES, notice.organization),
                        notices.NOTICE_OVERDUE_SUMMARY,
                        notice,
                        organization=notice.organization,
                        n=late,
                        title=notice.title,
                        date=reply_by.isoformat(),
                    )
                    summaries += 1
    return {"reminded": reminded, "overdue": overdue_told, "summaries": summaries}
