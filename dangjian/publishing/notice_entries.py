"""What the notices area adds to the shared pages (menu, to-do lines, panels, portal sections and blocks,
usage metrics, tracked models): called from registrations.register_entries()."""

from __future__ import annotations

import datetime

from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dangjian.accounts.permissions import SEND_NOTICES, SIGN_NOTICES, can_use_console, has_capability, scope_paths
from dangjian.core.registry import (
    Counted,
    MenuItem,
    OrganizationLink,
    ToDo,
    TrackedModel,
    UsageMetric,
    UsageRate,
    period_bounds,
)

from .models import Notice, NoticeRecipient


def _to_sign_count(request) -> int | None:
    from .notice_queries import to_sign

    if not scope_paths(request.user, SIGN_NOTICES):
        return None
    return to_sign(request.user).count()


def _badge(request) -> int:
    return _to_sign_count(request) or 0


def _may_send(user, organization) -> bool:
    """Senders of an open organization with organizations below it (a notice goes only downward)."""
    return (
        not organization.is_closed
        and has_capability(user, SEND_NOTICES, organization)
        and organization.children.filter(closed_at__isnull=True).exists()
    )


def _received(organization, start: datetime.date, end: datetime.date):
    since, until = period_bounds(start, end)
    bounds = organization.subtree_range()
    return NoticeRecipient.objects.filter(
        organization__path__gte=bounds["gte"],
        organization__path__lt=bounds["lt"],
        notice__sent_at__gte=since,
        notice__sent_at__lt=until,
    ).exclude(notice__state=Notice.State.DRAFT)


def notices_received(organization, start, end) -> int:
    """Notices received by the subtree's organizations in the period (one per receiving organization)."""
    return _received(organization, start, end).count()


def notices_signed_on_time(organization, start, end) -> int:
    """Of those, the ones signed off by the reply-by date (any time, when the notice set none)."""
    signed = _received(organization, start, end).filter(signed_at__isnull=False)
    return (
        signed.annotate(signed_on=TruncDate("signed_at"))
        .filter(Q(notice__reply_by__isnull=True) | Q(signed_on__lte=F("notice__reply_by")))
        .count()
    )


def _sent_receipts():
    return NoticeRecipient.objects.exclude(notice__state=Notice.State.DRAFT).select_related("notice", "organization")


def _signed_on_time_receipts():
    return (
        _sent_receipts()
        .filter(signed_at__isnull=False)
        .annotate(signed_on=TruncDate("signed_at"))
        .filter(Q(notice__reply_by__isnull=True) | Q(signed_on__lte=F("notice__reply_by")))
    )


def _receipt_label(recipient: NoticeRecipient) -> str:
    return f"{recipient.notice.title} → {recipient.organization.short_name or recipient.organization.name}"


def _receipt_link(recipient: NoticeRecipient) -> str:
    return reverse("console:notice", args=[recipient.notice_id])


def _receipts_counted(rows) -> Counted:
    return Counted(
        rows=rows,
        organization="organization",
        date="notice__sent_at",
        capability=SIGN_NOTICES,
        label=_receipt_label,
        link=_receipt_link,
    )


def register() -> None:
    from dangjian.core.registry import register as add

    add(
        MenuItem(
            "notices",
            _("Notices"),
            "console:notices",
            order=50,
            visible=lambda request: can_use_console(request.user),
            badge=_badge,
            badge_label=lambda n: ngettext("%(n)s to sign off", "%(n)s to sign off", n) % {"n": n},
        ),
        ToDo(
            "publishing.notices_to_sign",
            lambda n: (
                ngettext("%(n)s notice waits for your sign-off", "%(n)s notices wait for your sign-off", n) % {"n": n}
            ),
            _to_sign_count,
            "console:notices",
            "todo=sign",
            order=50,
        ),
        OrganizationLink("notice_new", _("Send a notice"), "console:notice_new", _may_send, 64, secondary=True),
        TrackedModel("notice", "publishing", SEND_NOTICES),
        UsageMetric(
            "publishing.notices_received",
            _("Notices received"),
            notices_received,
            order=64,
            counted=_receipts_counted(_sent_receipts),
            group="publishing",
            definition=_(
                "Notices sent during the period to the subtree's organizations, once per receiving organization."
            ),
        ),
        UsageMetric(
            "publishing.notices_signed_on_time",
            _("Notices signed off on time"),
            notices_signed_on_time,
            order=65,
            counted=_receipts_counted(_signed_on_time_receipts),
            group="publishing",
            definition=_(
                "Of the notices received during the period, those the receiving organization signed off by the "
                "reply-by date (at any time when the notice set none)."
            ),
        ),
        UsageRate(
            "publishing.notices_signed_on_time_rate",
            _("Notices signed off on time, of those received"),
            "publishing.notices_signed_on_time",
            "publishing.notices_received",
            group="publishing",
            definition=_(
                "Notices signed off on time divided by the notices received, for the notices sent during the period."
            ),
            order=65,
        ),
    )
