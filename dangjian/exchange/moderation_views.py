"""Pages of moderation: reporting a message (a public page that works without JavaScript), the moderators' queue of
held and reported messages with their buttons, the identity look-up (a POST answered once, never a GET URL), and
the log of moderators' actions. The actions are in moderation.py."""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.console.shell import signed_in_view
from dangjian.core.history import ActionError, InvalidInput

from . import access, moderation, questions
from .models import Membership, Message, Report, Resident

QUEUE_PAGE = 20
LOG_PAGE = 50


def _id(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


# --- Reporting a message (public) ---------------------------------------------------------------------------


def _reportable(user, message_id: int) -> Message:
    message = Message.objects.select_related("room", "room__organization").filter(pk=message_id).first()
    if message is None or not access.may_read(user, message.room) or message.state != Message.State.PUBLISHED:
        raise Http404
    return message


@login_required
def report(request, message_id: int):
    message = _reportable(request.user, message_id)
    room_url = reverse("exchange:room", args=[message.room_id]) + f"#m{message.pk}"
    errors: dict = {}
    chosen = request.POST.get("reason", "")
    details = request.POST.get("details", "")
    if message.author_id == request.user.pk:
        flash.error(request, _("You cannot report your own message."))
        return redirect(room_url)
    if request.method == "POST":
        try:
            moderation.report_message(request.user, message.pk, chosen, details)
        except InvalidInput as error:
            errors = error.errors
        except ActionError as error:
            flash.info(request, str(error))
            return redirect(room_url)
        else:
            flash.success(request, _("Thank you: the room's moderators will look at the message."))
            return redirect(room_url)
    already = Report.objects.filter(message=message, reporter=request.user).exists()
    return render(
        request,
        "exchange/report.html",
        {
            "message": message,
            "room": message.room,
            "reasons": Report.Reason.choices,
            "chosen": chosen,
            "details": details,
            "errors": errors,
            "already": already,
            "room_url": room_url,
            "max_details": moderation.DETAILS_MAX_CHARS,
        },
        status=400 if errors else 200,
    )


# --- The queue ----------------------------------------------------------------------------------------------


def highlight(text: str, words: list[str]) -> str:
    """Plain text escaped, line breaks kept, each flagged word wrapped in <mark>."""
    escaped = html.escape(text or "")
    if words:
        pattern = re.compile(
            "|".join(re.escape(html.escape(word)) for word in sorted(words, key=len, reverse=True)), re.I
        )
        escaped = pattern.sub(lambda m: f'<mark class="flagged">{m.group(0)}</mark>', escaped)
    return mark_safe(escaped.replace("\n", "<br>"))  # noqa: S308 - escaped above


def _may_see_queue(user) -> bool:
    return moderation.may_see_queue(user)


def _question_items(held) -> list[dict]:
    return [
        {
            "question": q,
            "title": highlight(q.title, q.flagged_words or []),
            "body": highlight(q.body, q.flagged_words or []),
        }
        for q in held
    ]


def _items(request, page) -> list[dict]:
    shown = list(page)
    open_reports = Report.objects.filter(message__in=shown, state=Report.State.OPEN).order_by("created_at", "id")
    by_message: dict[int, list[Report]] = {}
    for item in open_reports:
        by_message.setdefault(item.message_id, []).append(item)
    authors = {
        (m.room_id, m.user_id): m
        for m in Membership.objects.filter(
            room__in={m.room_id for m in shown}, user__in={m.author_id for m in shown if m.author_id}
        )
    }
    residents = set(Resident.objects.filter(user__in={m.author_id for m in shown}).values_list("user_id", flat=True))
    items = []
    for message in shown:
        reports = by_message.get(message.pk, [])
        reasons = Counter(str(Report.Reason(r.reason).label) for r in reports)
        membership = authors.get((message.room_id, message.author_id))
        items.append(
            {
                "message": message,
                "body": highlight(message.body, message.flagged_words or []),
                "reports": reports,
                "first_report": reports[0] if reports else None,
                "reasons": sorted(reasons.items(), key=lambda pair: -pair[1]),
                "details": [r.details for r in reports if r.details],
                "membership": membership if membership is not None and membership.is_active else None,
                "may_reveal": bool(
                    reports
                    and membership is not None
                    and message.author_id in residents
                    and moderation.may_reveal_identity(request.user, message.room)
                ),
            }
        )
    return items


@signed_in_view
def queue(request):
    if not _may_see_queue(request.user):
        raise PermissionDenied
    show = request.GET.get("show", "")
    held_questions = questions.held_for(request.user).select_related("room")
    if show == "questions":
        page = Paginator(held_questions, QUEUE_PAGE).get_page(request.GET.get("page"))
        shown = list(page)
        return render(
            request,
            "exchange/console/moderation.html",
            {
                "page": page,
                "items": [],
                "questions": shown,
                "question_items": _question_items(shown),
                "show": show,
                "query_string": urlencode({"show": show}),
                "held_count": moderation.held_messages(request.user).count(),
                "reported_count": moderation.reported_messages(request.user).count(),
                "question_count": page.paginator.count,
                "reason_max": questions.REASON_MAX,
            },
        )
    if show == "held":
        waiting = moderation.held_messages(request.user)
    elif show == "reports":
        waiting = moderation.reported_messages(request.user)
    else:
        show = ""
        waiting = moderation.waiting_messages(request.user)
    page = Paginator(waiting, QUEUE_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/console/moderation.html",
        {
            "page": page,
            "items": _items(request, page),
            "show": show,
            "query_string": urlencode({"show": show}) if show else "",
            "mute_choices": [(key, label) for key, (_delta, label) in moderation.MUTE_CHOICES.items()],
            "held_count": moderation.held_messages(request.user).count(),
            "reported_count": moderation.reported_messages(request.user).count(),
            "question_count": held_questions.count(),
        },
    )


def _back(request) -> str:
    show = request.POST.get("show", "")
    url = reverse("console:moderation")
    return url + (f"?{urlencode({'show': show})}" if show in ("held", "reports", "questions") else "")


def _run(request, run, done: str):
    try:
        run()
    except PermissionDenied:
        raise
    except ActionError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, done)
    return redirect(_back(request))


@signed_in_view
@require_POST
def message_action(request, message_id: int):
    do = request.POST.get("do", "")
    reason = request.POST.get("reason", "")
    report_id = _id(request.POST.get("report"))
    user = request.user
    if do == "approve":
        return _run(request, lambda: moderation.approve_message(user, message_id), _("The message is shown."))
    if do == "reject":
        return _run(
            request, lambda: moderation.reject_message(user, message_id, reason), _("The message was rejected.")
        )
    if do == "remove":
        return _run(
            request,
            lambda: moderation.remove_message(user, message_id, reason, report_id),
            _("The message was removed."),
        )
    raise Http404


@signed_in_view
@require_POST
def question_action(request, question_id: int):
    """Approve or reject a held question (问政). Someone who may not review it gets 404, as for a question that is
    not there."""
    do = request.POST.get("do", "")
    user = request.user
    if do == "approve":
        run, done = (lambda: questions.approve_question(user, question_id)), _("The question is now public.")
    elif do == "reject":
        reason = request.POST.get("reason", "")
        run, done = (lambda: questions.reject_question(user, question_id, reason)), _("The question was rejected.")
    else:
        raise Http404
    try:
        return _run(request, run, done)
    except PermissionDenied:
        raise Http404 from None


@signed_in_view
@require_POST
def member_action(request, membership_id: int):
    do = request.POST.get("do", "")
    reason = request.POST.get("reason", "")
    report_id = _id(request.POST.get("report"))
    user = request.user
    if do == "warn":
        return _run(
            request, lambda: moderation.warn_member(user, membership_id, reason, report_id), _("The member was warned.")
        )
    if do == "mute":
        duration = request.POST.get("duration", "")
        return _run(
            request,
            lambda: moderation.mute_member(user, membership_id, duration, reason, report_id),
            _("The member is muted."),
        )
    if do == "unmute":
        return _run(request, lambda: moderation.unmute_member(user, membership_id), _("The mute was lifted."))
    if do == "expel":
        return _run(
            request,
            lambda: moderation.expel_member(user, membership_id, reason, report_id),
            _("The member was removed from the room."),
        )
    if do == "readmit":
        return _run(
            request, lambda: moderation.readmit_member(user, membership_id), _("The member may join the room again.")
        )
    raise Http404


@signed_in_view
@require_POST
def report_dismiss(request, report_id: int):
    return _run(
        request,
        lambda: moderation.dismiss_report(request.user, report_id, request.POST.get("reason", "")),
        _("The report was dismissed."),
    )


@signed_in_view
@require_POST
@never_cache
def member_identity(request, membership_id: int):
    """The verified identity, answered once to this POST (never in a URL, never cached); each look audited."""
    report_id = _id(request.POST.get("report"))
    try:
        identity = moderation.reveal_identity(request.user, membership_id, report_id or 0)
    except PermissionDenied:
        raise
    except ActionError as error:
        flash.error(request, str(error))
        return redirect(_back(request))
    membership = Membership.objects.select_related("room").get(pk=membership_id)
    return render(
        request,
        "exchange/console/member_identity.html",
        {"identity": identity, "membership": membership, "room": membership.room},
    )


# --- The log -------------------------------------------------------------------------------------------------


@signed_in_view
def log(request):
    if not _may_see_queue(request.user):
        raise PermissionDenied
    page = Paginator(moderation.log_entries(request.user), LOG_PAGE).get_page(request.GET.get("page"))
    entries = list(page)
    nicknames = {
        (m.room_id, m.user_id): m.nickname
        for m in Membership.objects.filter(
            room__in={e.room_id for e in entries}, user__in={e.actor_id for e in entries if e.actor_id}
        )
    }
    residents = set(Resident.objects.filter(user__in={e.actor_id for e in entries}).values_list("user_id", flat=True))
    for entry in entries:
        actor = entry.actor
        # Staff by their name; a resident admin by the room's nickname (never a mobile used as the username).
        entry.actor_label = (
            (actor.get_full_name() if actor else "")
            or nicknames.get((entry.room_id, entry.actor_id), "")
            or (actor.username if actor and actor.pk not in residents else "")
            or "—"
        )
    return render(
        request,
        "exchange/console/moderation_log.html",
        {"page": page, "entries": entries, "query_string": ""},
    )
