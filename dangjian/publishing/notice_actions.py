"""Notices (通知) and their sign-off (签收).

    send_notice(user, organization_id, NoticeInput, uploads)   SEND_NOTICES on the sending organization
    open_notice(user, recipient_id)                            the first opening by a signer is recorded
    sign_notice(user, recipient_id)                            SIGN_NOTICES exactly on the receiving organization
    reply_to_notice(user, recipient_id, text, uploads)         the same; after the reply-by date marked late
    remind_unsigned(user, notice_id)                           the sender: all unsigned receivers, at most hourly
    withdraw_notice(user, notice_id, reason)                   the sender, with a reason

Receivers are always strictly inside the sender's subtree; a forged id outside it refuses the whole notice.
"""

from __future__ import annotations

import datetime
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.permissions import CAPABILITIES, SEND_NOTICES, SIGN_NOTICES, has_capability, holds_exactly
from dangjian.core.history import ActionError, InvalidInput, NotFound, save_tracked, validate
from dangjian.core.signals import rows_written
from dangjian.core.uploads import check_attachment, discard_all_on_failure
from dangjian.notifications.api import notify
from dangjian.organizations.models import Organization

from . import notices, pushing
from .models import Notice, NoticeAttachment, NoticeRecipient, NoticeReply, NoticeReplyFile

MAX_FILES = 10
REPLY_MAX_FILES = 5
REASON_MAX = 300
REMIND_EVERY = datetime.timedelta(hours=1)
# The same notice (or reply) again within this time is a double submit: the first one stands.
SAME_AGAIN = datetime.timedelta(minutes=10)


class DuplicateNotice(ActionError):
    """The same notice was just sent (a double submit); `notice` is the one that stands."""

    def __init__(self, notice: Notice):
        super().__init__(_("This notice was just sent; it was not sent twice."))
        self.notice = notice


@dataclass(frozen=True)
class NoticeInput:
    title: str
    body: str
    audience: str = Notice.Audience.CHOSEN
    organization_ids: list[int] = field(default_factory=list)  # CHOSEN
    subtree_root_id: int | None = None  # SUBTREE: every organization below this one
    reply_by: datetime.date | None = None
    needs_reply: bool = False
    role: str = ""


def signing_roles() -> list[str]:
    """The roles whose holders may sign a notice off (a notice may be addressed to one of them only)."""
    from dangjian.accounts.models import Role

    return [value for value in Role.values if value in CAPABILITIES[SIGN_NOTICES]]


def _org_name(organization) -> str:
    return organization.short_name or organization.name


def _refuse(field_name: str, message: str) -> InvalidInput:
    return InvalidInput({field_name: [message]}, message)


def _receivers(sender: Organization, data: NoticeInput) -> list[Organization]:
    """The open organizations the notice goes to, all strictly inside the sender's subtree (party groups, which
    have no staff of their own, are left out of a whole subtree)."""
    below = Organization.objects.filter(path__startswith=sender.path).exclude(pk=sender.pk).open()
    if data.audience == Notice.Audience.CHILDREN:
        found = list(below.filter(parent=sender).exclude(kind=Organization.Kind.GROUP).order_by("path"))
    elif data.audience == Notice.Audience.SUBTREE:
        root = Organization.objects.filter(pk=data.subtree_root_id or sender.pk).first()
        if root is None or not root.path.startswith(sender.path):
            raise _refuse("subtree_root", _("That organization is not below yours; a notice goes only downward."))
        found = list(
            below.filter(path__startswith=root.path)
            .exclude(pk=root.pk)
            .exclude(kind=Organization.Kind.GROUP)
            .order_by("path")
        )
    elif data.audience == Notice.Audience.CHOSEN:
        ids = {int(i) for i in data.organization_ids}
        found = list(below.filter(pk__in=ids).order_by("path"))
        if len(found) != len(ids):
            raise _refuse(
                "organizations",
                _("Some chosen organizations are not below yours (or are closed); a notice goes only downward."),
            )
    else:
        raise _refuse("audience", _("Choose whom the notice goes to."))
    if not found:
        raise _refuse("organizations", _("Choose at least one organization to receive the notice."))
    return found


def _check_files(uploads, limit: int, field_name: str) -> list[tuple[Any, str]]:
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > limit:
        raise _refuse(field_name, _("At most %(n)s files.") % {"n": limit})
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, check_attachment(upload)))
        except ValidationError as error:
            raise _refuse(
                field_name, _("%(name)s: %(error)s") % {"name": upload.name[:60], "error": " ".join(error.messages)}
            ) from None
    return checked


def _store(file_row, upload, names: list[str]) -> None:
    ext = os.path.splitext(upload.name or "")[1].lower()
    file_row.file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
    names.append(file_row.file.name)


def signers(organization_ids, role: str = ""):
    """(user id, organization id) of the active holders of SIGN_NOTICES exactly on each organization (only the
    given role's holders when the notice names one), in one query."""
    roles = [role] if role else sorted(CAPABILITIES[SIGN_NOTICES])
    return (
        RoleGrant.objects.filter(organization_id__in=organization_ids, role__in=roles, user__is_active=True)
        .values_list("user_id", "organization_id")
        .distinct()
    )


def _notify_receivers(notice: Notice, organization_ids, kind: str, **params) -> None:
    users = sorted({user for user, _org in signers(organization_ids, notice.role)})
    notify(
        users,
        kind,
        notice,
        organization=notice.organization,
        org=_org_name(notice.organization),
        title=notice.title,
        **params,
    )


def send_notice(user, organization_id: int, data: NoticeInput, uploads=()) -> Notice:
    sender = Organization.objects.filter(pk=organization_id).first()
    if sender is None or sender.is_closed:
        raise NotFound
    if not has_capability(user, SEND_NOTICES, sender):
        raise PermissionDenied
    title, body = (data.title or "").strip(), (data.body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the notice a title.")]
    if not body:
        errors["body"] = [_("Write the text of the notice.")]
    if data.reply_by is not None and data.reply_by < timezone.localdate():
        errors["reply_by"] = [_("The reply-by date is in the past.")]
    if data.needs_reply and data.reply_by is None:
        errors["reply_by"] = [_("Give the date by which a reply is expected.")]
    if data.role and data.role not in signing_roles():
        errors["role"] = [_("Choose a role that can sign notices off.")]
    if errors:
        raise InvalidInput(errors, " ".join(m for ms in errors.values() for m in ms))
    receivers = _receivers(sender, data)
    files = _check_files(uploads, MAX_FILES, "attachments")
    now = timezone.now()
    notice = Notice(
        organization=sender,
        title=title,
        body=body,
        reply_by=data.reply_by,
        needs_reply=data.needs_reply,
        audience=data.audience,
        role=data.role,
        state=Notice.State.SENT,
        sent_at=now,
        created_by=user,
    )
    validate(notice)
    storage = NoticeAttachment._meta.get_field("file").storage
    with discard_all_on_failure(storage) as names, transaction.atomic():
        # Two submits of one form queue here (the sender's row is locked); the second finds the first.
        Organization.objects.select_for_update().filter(pk=sender.pk).first()
        earlier = Notice.objects.filter(
            organization=sender, title=title, body=body, state=Notice.State.SENT, sent_at__gte=now - SAME_AGAIN
        ).first()
        if earlier is not None:
            raise DuplicateNotice(earlier)
        save_tracked(user, notice, sender)
        for upload, content_type in files:
            row = NoticeAttachment(
                notice=notice, name=os.path.basename(upload.name)[:200], size=upload.size, content_type=content_type
            )
            _store(row, upload, names)
            row.save()
        NoticeRecipient.objects.bulk_create(
            [NoticeRecipient(notice=notice, organization=o) for o in receivers], batch_size=500
        )
        _receipts_changed([o.pk for o in receivers])
        _notify_receivers(notice, [o.pk for o in receivers], notices.NOTICE_RECEIVED)
        pushing.push_notice(notice)
    return notice


# --- The receiving organization ---------------------------------------------------------------------------


def _receipts_changed(organization_ids) -> None:
    """Receipts written or signed without a save: the usage summaries' rollups are told (core.signals.rows_written)."""

    rows_written(NoticeRecipient, organization_ids)


def may_sign(user, recipient: NoticeRecipient) -> bool:
    """A staff member holding SIGN_NOTICES exactly on the receiving organization (of the notice's role, if it
    names one); someone above, a township's admin for a village, never signs for it."""
    if not holds_exactly(user, SIGN_NOTICES, recipient.organization):
        return False
    role = recipient.notice.role
    return not role or RoleGrant.objects.filter(user=user, organization=recipient.organization, role=role).exists()


def _receipt(user, recipient_id: int, *, lock: bool = True) -> NoticeRecipient:
    rows = NoticeRecipient.objects.select_related("notice__organization", "organization")
    recipient = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound
    if not may_sign(user, recipient):
        raise PermissionDenied
    if recipient.notice.state != Notice.State.SENT:
        raise ActionError(_("This notice was withdrawn by its sender."))
    return recipient


def open_notice(user, recipient_id: int) -> bool:
    """Record the first opening by someone who may sign; True when this was it."""
    recipient = _receipt(user, recipient_id, lock=False)
    return bool(NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=timezone.now()))


def sign_notice(user, recipient_id: int) -> NoticeRecipient:
    """签收; signing twice (a double submit, two colleagues) keeps the first signature."""
    with transaction.atomic():
        recipient = _receipt(user, recipient_id)
        now = timezone.now()
        if NoticeRecipient.objects.filter(pk=recipient.pk, signed_at__isnull=True).update(
            signed_at=now, signed_by=user, read_at=Coalesce(F("read_at"), now)
        ):
            _receipts_changed([recipient.organization_id])
        recipient.refresh_from_db()
    return recipient


def reply_to_notice(user, recipient_id: int, text: str, uploads=()) -> NoticeReply:
    """A reply with text and files; replying also signs the notice off. Allowed after the reply-by date too
    (the reply is then shown as late)."""
    text = (text or "").strip()
    if not text:
        raise _refuse("text", _("Write the reply."))
    if len(text) > 5000:
        raise _refuse("text", _("The reply is at most %(n)s characters.") % {"n": 5000})
    files = _check_files(uploads, REPLY_MAX_FILES, "files")
    storage = NoticeReplyFile._meta.get_field("file").storage
    with discard_all_on_failure(storage) as names, transaction.atomic():
        recipient = _receipt(user, recipient_id)
        now = timezone.now()
        same = NoticeReply.objects.filter(
            recipient=recipient, author=user, text=text, created_at__gte=now - SAME_AGAIN
        ).first()
        if same is not None:  # a double submit: the first reply stands
            return same
        reply = NoticeReply.objects.create(recipient=recipient, text=text, author=user, created_at=now)
        for upload, content_type in files:
            row = NoticeReplyFile(
                reply=reply, name=os.path.basename(upload.name)[:200], size=upload.size, content_type=content_type
            )
            _store(row, upload, names)
            row.save()
        if NoticeRecipient.objects.filter(pk=recipient.pk, signed_at__isnull=True).update(
            signed_at=now, signed_by=user, read_at=Coalesce(F("read_at"), now)
        ):
            _receipts_changed([recipient.organization_id])
        notice = recipient.notice
        if notice.created_by_id:
            notify(
                [notice.created_by_id],
                notices.NOTICE_REPLIED,
                notice,
                organization=notice.organization,
                org=_org_name(recipient.organization),
                title=notice.title,
            )
    return reply


def is_late(reply: NoticeReply, notice: Notice) -> bool:
    return notice.reply_by is not None and timezone.localdate(reply.created_at) > notice.reply_by


# --- The sender -------------------------------------------------------------------------------------------


def _sent_notice(user, notice_id: int) -> Notice:
    notice = Notice.objects.select_for_update().select_related("organization").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound
    if not has_capability(user, SEND_NOTICES, notice.organization):
        raise PermissionDenied
    if notice.state != Notice.State.SENT:
        raise ActionError(_("This notice was withdrawn."))
    return notice


def remind_unsigned(user, notice_id: int) -> int:
    """Remind every receiver that has not signed off (each at most once an hour); returns how many were."""
    with transaction.atomic():
        notice = _sent_notice(user, notice_id)
        now = timezone.now()
        due = NoticeRecipient.objects.filter(notice=notice, signed_at__isnull=True).filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - REMIND_EVERY)
        )
        ids = list(due.select_for_update().values_list("pk", flat=True))
        reminded = NoticeRecipient.objects.filter(pk__in=ids).filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - REMIND_EVERY)
        )
        organizations = list(reminded.values_list("organization_id", flat=True))
        reminded.update(reminded_at=now, reminders=F("reminders") + 1)
        if organizations:
            _notify_receivers(notice, organizations, notices.NOTICE_REMINDER)
    return len(organizations)


def withdraw_notice(user, notice_id: int, reason: str) -> Notice:
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason", _("Say why the notice is withdrawn."))
    if len(reason) > REASON_MAX:
        raise _refuse("reason", _("The reason is at most %(n)s characters.") % {"n": REASON_MAX})
    with transaction.atomic():
        notice = _sent_notice(user, notice_id)
        notice.state = Notice.State.WITHDRAWN
        notice.withdrawn_at = timezone.now()
        notice.withdraw_reason = reason
        save_tracked(user, notice, notice.organization)
        organizations = list(notice.recipients.values_list("organization_id", flat=True))
        _notify_receivers(notice, organizations, notices.NOTICE_WITHDRAWN, reason=reason)
    return notice


def attachment_limit() -> int:
    return settings.ATTACHMENT_MAX_BYTES
