"""Reads of notices scoped to the person: their inbox, what waits for their sign-off, a notice's page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.permissions import (
    CAPABILITIES,
    SEND_NOTICES,
    SIGN_NOTICES,
    USE_CONSOLE,
    has_capability,
    units_for,
)

from .models import Notice, NoticeRecipient


def _own_units(user):
    return units_for(user, USE_CONSOLE)


def received_by(user):
    """Receipts of sent (or withdrawn) notices to organizations where the user holds a staff role of their own."""
    return NoticeRecipient.objects.filter(
        organization__in=_own_units(user), notice__state__in=[Notice.State.SENT, Notice.State.WITHDRAWN]
    )


def _signable(user) -> Q | None:
    """The receipts this user may sign: SIGN_NOTICES exactly on the organization, of the notice's role if any."""
    pairs = RoleGrant.objects.filter(user=user, role__in=CAPABILITIES[SIGN_NOTICES]).values_list(
        "organization_id", "role"
    )
    condition = None
    for organization_id, role in pairs:
        part = Q(organization_id=organization_id) & (Q(notice__role="") | Q(notice__role=role))
        condition = part if condition is None else condition | part
    return condition


def to_sign(user):
    """Unsigned receipts of live notices the user may sign off (the to-do)."""
    condition = _signable(user) if getattr(user, "pk", None) else None
    if condition is None:
        return NoticeRecipient.objects.none()
    return NoticeRecipient.objects.filter(condition, signed_at__isnull=True, notice__state=Notice.State.SENT)


def sent_by(user):
    """Notices of the organizations the user sends for through a grant of their own, with their counts."""
    return (
        Notice.objects.filter(organization__in=units_for(user, SEND_NOTICES))
        .exclude(state=Notice.State.DRAFT)
        .annotate(
            receivers=Count("recipients"),
            signed=Count("recipients", filter=Q(recipients__signed_at__isnull=False)),
            unsigned=Count("recipients", filter=Q(recipients__signed_at__isnull=True)),
        )
        .select_related("organization")
        .order_by("-sent_at", "-pk")
    )


@dataclass
class NoticeAccess:
    notice: Notice
    sender_side: bool  # staff of the sending organization (or above it): sees every receipt
    sends: bool  # may remind and withdraw
    receipts: list[NoticeRecipient]  # the user's own organizations' receipts


def get_notice_for_user(user, notice_id: int) -> NoticeAccess:
    notice = (
        Notice.objects.select_related("organization").filter(pk=notice_id).exclude(state=Notice.State.DRAFT).first()
    )
    if notice is None:
        raise Http404
    sender_side = has_capability(user, USE_CONSOLE, notice.organization)
    receipts = list(
        notice.recipients.filter(organization__in=_own_units(user)).select_related("organization", "signed_by")
    )
    if not sender_side and not receipts:
        raise Http404
    return NoticeAccess(
        notice=notice,
        sender_side=sender_side,
        sends=has_capability(user, SEND_NOTICES, notice.organization),
        receipts=receipts,
    )
