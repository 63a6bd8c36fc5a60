"""Console pages of the notice office (通知): the inbox and the sent notices, writing one, a notice's page (the
receiver signs and replies there; the sender reads the receipts, reminds and withdraws), and the files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import SEND_NOTICES, get_organization_for_user, units_for
from dangjian.console.shell import add_field_errors, console_view
from dangjian.core.history import ActionError, InvalidInput

from . import notice_actions as actions
from . import notice_queries as queries
from .models import Notice, NoticeAttachment, NoticeRecipient, NoticeReply, NoticeReplyFile
from .notice_forms import NoticeForm, ReplyForm, WithdrawForm

PER_PAGE = 30
RECEIPTS_PER_PAGE = 100


@console_view
def notice_office(request):
    user = request.user
    view = request.GET.get("view", "received")
    todo = request.GET.get("todo") == "sign"
    senders = [
        o
        for o in units_for(user, SEND_NOTICES).open().order_by("path")
        if o.children.filter(closed_at__isnull=True).exists()
    ]
    context = {"view": view, "todo": todo, "senders": senders, "to_sign_count": queries.to_sign(user).count()}
    if view == "sent":
        context["page"] = Paginator(queries.sent_by(user), PER_PAGE).get_page(request.GET.get("page"))
        context["query_string"] = "view=sent"
    else:
        rows = queries.to_sign(user) if todo else queries.received_by(user)
        rows = rows.select_related("notice__organization", "organization").annotate(
            unsigned=Case(When(signed_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        context["page"] = Paginator(rows.order_by("unsigned", "-notice__sent_at", "pk"), PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["query_string"] = "todo=sign" if todo else ""
    context["today"] = timezone.localdate()
    return render(request, "publishing/console/notice_office.html", context)


@console_view
def notice_new(request, org_id: int):
    sender = get_organization_for_user(request.user, org_id, SEND_NOTICES)
    form = NoticeForm(request.POST or None, request.FILES or None, sender=sender)
    if request.method == "POST" and form.is_valid():
        try:
            notice = actions.send_notice(
                request.user, sender.pk, form.to_input(), form.cleaned_data.get("attachments") or []
            )
        except actions.DuplicateNotice as duplicate:
            messages.info(request, str(duplicate))
            return redirect(reverse("console:notice", args=[duplicate.notice.pk]))
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            n = notice.recipients.count()
            messages.success(
                request,
                ngettext("The notice is sent to %(n)s organization.", "The notice is sent to %(n)s organizations.", n)
                % {"n": n},
            )
            return redirect(reverse("console:notice", args=[notice.pk]))
    return render(
        request,
        "publishing/console/notice_form.html",
        {"org": sender, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _replies():
    return Prefetch("replies", queryset=NoticeReply.objects.select_related("author").prefetch_related("files"))


def _page(request, access, *, reply_forms=None, withdraw_form=None, status=200):
    notice = access.notice
    user = request.user
    today = timezone.localdate()
    context = {
        "notice": notice,
        "access": access,
        "attachments": list(notice.attachments.all()),
        "today": today,
        "overdue_date": notice.reply_by is not None and today > notice.reply_by,
        "withdraw_form": withdraw_form or WithdrawForm(),
    }
    mine = []
    reply_forms = reply_forms or {}
    for receipt in access.receipts:
        mine.append(
            {
                "receipt": receipt,
                "may_sign": notice.state == Notice.State.SENT and actions.may_sign(user, receipt),
                "replies": list(receipt.replies.select_related("author").prefetch_related("files")),
                "form": reply_forms.get(receipt.pk) or ReplyForm(prefix=f"r{receipt.pk}"),
            }
        )
    context["mine"] = mine
    if access.sender_side:
        rows = notice.recipients.select_related("organization", "signed_by").prefetch_related(_replies())
        show = request.GET.get("show", "")
        if show == "signed":
            rows = rows.filter(signed_at__isnull=False)
        elif show == "unsigned":
            rows = rows.filter(signed_at__isnull=True)
        counts = notice.recipients.aggregate(total=Count("pk"), signed=Count("pk", filter=Q(signed_at__isnull=False)))
        context.update(
            show=show,
            counts=counts,
            receipts=Paginator(rows, RECEIPTS_PER_PAGE).get_page(request.GET.get("page")),
            query_string=f"show={show}" if show else "",
        )
    return render(request, "publishing/console/notice_detail.html", context, status=status)


@console_view
def notice_detail(request, notice_id: int):
    access = queries.get_notice_for_user(request.user, notice_id)
    if access.notice.state == Notice.State.SENT:
        for receipt in access.receipts:
            if receipt.read_at is None and actions.may_sign(request.user, receipt):
                actions.open_notice(request.user, receipt.pk)
    return _page(request, access)


def _receipt_of(request, notice_id: int, recipient_id: int) -> NoticeRecipient:
    access = queries.get_notice_for_user(request.user, notice_id)
    receipt = next((r for r in access.receipts if r.pk == recipient_id), None)
    if receipt is None:
        raise Http404
    return receipt


@require_POST
@console_view
def notice_sign(request, notice_id: int, recipient_id: int):
    _receipt_of(request, notice_id, recipient_id)
    try:
        actions.sign_notice(request.user, recipient_id)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Signed off."))
    return redirect(reverse("console:notice", args=[notice_id]))


@require_POST
@console_view
def notice_reply(request, notice_id: int, recipient_id: int):
    _receipt_of(request, notice_id, recipient_id)
    form = ReplyForm(request.POST, request.FILES, prefix=f"r{recipient_id}")
    if form.is_valid():
        try:
            actions.reply_to_notice(
                request.user, recipient_id, form.cleaned_data["text"], form.cleaned_data.get("files") or []
            )
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your reply is sent; the notice is signed off."))
            return redirect(reverse("console:notice", args=[notice_id]))
    access = queries.get_notice_for_user(request.user, notice_id)
    return _page(request, access, reply_forms={recipient_id: form}, status=400)


@require_POST
@console_view
def notice_remind(request, notice_id: int):
    queries.get_notice_for_user(request.user, notice_id)
    try:
        n = actions.remind_unsigned(request.user, notice_id)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        if n:
            messages.success(
                request,
                ngettext("%(n)s organization is reminded.", "%(n)s organizations are reminded.", n) % {"n": n},
            )
        else:
            messages.info(
                request, _("Everyone not signed off was reminded within the last hour; nobody was reminded again.")
            )
    return redirect(reverse("console:notice", args=[notice_id]))


@require_POST
@console_view
def notice_withdraw(request, notice_id: int):
    access = queries.get_notice_for_user(request.user, notice_id)
    if not access.sends:
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_notice(request.user, notice_id, form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The notice is withdrawn; its receivers are told."))
            return redirect(reverse("console:notice", args=[notice_id]))
    return _page(request, access, withdraw_form=form, status=400)


def _file_response(row):
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type)


@console_view
def notice_attachment(request, notice_id: int, attachment_id: int):
    """The sender's staff and the receiving organizations' staff only."""
    access = queries.get_notice_for_user(request.user, notice_id)
    row = NoticeAttachment.objects.filter(pk=attachment_id, notice=access.notice).first()
    if row is None:
        raise Http404
    return _file_response(row)


@console_view
def notice_reply_file(request, notice_id: int, file_id: int):
    """A reply's file: the sender's staff, or the staff of the organization that replied (not other receivers)."""
    access = queries.get_notice_for_user(request.user, notice_id)
    row = (
        NoticeReplyFile.objects.select_related("reply__recipient")
        .filter(pk=file_id, reply__recipient__notice=access.notice)
        .first()
    )
    if row is None:
        raise Http404
    if not access.sender_side and row.reply.recipient_id not in {r.pk for r in access.receipts}:
        raise Http404
    return _file_response(row)
