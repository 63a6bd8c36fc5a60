"""The meeting office in the console: a branch's meetings, planning, the meeting's page (for the secretary, the
host, the recorder and the attendees alike: each sees what they may do), minutes, files, print and PDF."""

from __future__ import annotations

import datetime

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_MEETINGS, get_organization_for_user, organizations_for
from dangjian.console.shell import console_view, signed_in_view
from dangjian.core.history import ActionError, InvalidInput
from dangjian.organizations.models import Organization

from . import actions, printing
from .forms import AnswerForm, CancelForm, FileForm, MeetingForm, MinutesForm, SignOffForm
from .models import Meeting, MeetingFile, Minutes
from .queries import get_meeting_for_user, with_answer_counts
from .workflow import MEETING, MINUTES, attendee_of, is_manager

BRANCHES_PER_PAGE = 50
PAST_PER_PAGE = 30
# A planned meeting that began less than this long ago is still listed with those to come (under way: attendance
# is being ticked, the meeting not yet recorded as held).
UNDER_WAY = datetime.timedelta(hours=12)


@console_view
def overview(request):
    """组织生活: the branches where the user plans meetings, and the meetings coming up there."""
    scope = organizations_for(request.user, MANAGE_MEETINGS).open().exclude(kind=Organization.Kind.GROUP)
    branches = Paginator(scope.order_by("path"), BRANCHES_PER_PAGE).get_page(request.GET.get("page"))
    since = timezone.now() - UNDER_WAY
    upcoming = (
        with_answer_counts(
            Meeting.objects.filter(organization__in=scope, state=Meeting.State.PLANNED, starts_at__gte=since)
        )
        .select_related("organization")
        .order_by("starts_at", "pk")[:20]
    )
    return render(request, "meetings/overview.html", {"branches": branches, "upcoming": upcoming})


@console_view
def meeting_list(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_MEETINGS)
    now = timezone.now()
    meetings = with_answer_counts(Meeting.objects.filter(organization=org))
    upcoming = meetings.filter(starts_at__gte=now - UNDER_WAY, state=Meeting.State.PLANNED)
    past = meetings.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at", "-pk")
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "org": org,
            "upcoming": upcoming.order_by("starts_at", "pk"),
            "past": Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page")),
            "is_group": org.kind == Organization.Kind.GROUP,
        },
    )


def _meeting_form_page(request, org, form, meeting=None):
    title = _("Change the meeting") if meeting else _("Plan a meeting")
    context = {"org": org, "form": form, "title": title, "meeting": meeting}
    return render(request, "meetings/meeting_form.html", context)


@console_view
def meeting_new(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_MEETINGS)
    if org.kind == Organization.Kind.GROUP:
        raise Http404
    form = MeetingForm(
        request.POST or None, instance=Meeting(organization=org), organization=org, initial=_plan_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.plan_meeting(request.user, org.pk, form.to_input())
        except actions.DuplicateMeeting as duplicate:
            messages.info(request, str(duplicate))
            return redirect("console:meeting", duplicate.meeting.pk)
        except ActionError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The meeting was planned and the attendees were told."))
            return redirect("console:meeting", meeting.pk)
    return _meeting_form_page(request, org, form)


def _plan_initial(request) -> dict:
    """`?kind=` (from the list of required meetings not yet held) preselects the kind; a party group meeting is
    for one party group."""
    kind = request.GET.get("kind", "")
    if kind not in Meeting.Kind.values:
        return {}
    initial = {"kind": kind}
    if kind == Meeting.Kind.GROUP:
        initial["audience"] = Meeting.Audience.GROUP
    return initial


@console_view
def meeting_edit(request, meeting_id: int):
    meeting = get_meeting_for_user(request.user, meeting_id)
    if not MEETING.may(request.user, "update", meeting):
        raise Http404
    org = meeting.organization
    form = MeetingForm(request.POST or None, instance=meeting, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_meeting(request.user, meeting.pk, form.to_input(), expected_version=form.expected_version)
        except ActionError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The meeting was changed and the attendees were told."))
            return redirect("console:meeting", meeting.pk)
    return _meeting_form_page(request, org, form, meeting)


def _form_errors(form, error: ActionError) -> None:
    if isinstance(error, InvalidInput):
        for name, texts in error.errors.items():
            for text in texts:
                form.add_error(name if name in form.fields else None, text)
    else:
        form.add_error(None, str(error))


def check_in_url(request, meeting: Meeting) -> str:
    return request.build_absolute_uri(reverse("meetings:check_in", args=[meeting.check_in_token]))


def qr_svg_for(url: str, label: str) -> SafeString:
    """The check-in address as inline SVG markup (as accounts.two_factor draws its QR code: nothing to fetch)."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=4, light="#fff", dark="#000")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S308


@signed_in_view
def meeting(request, meeting_id: int):
    """The meeting's page: what it is; the attendee's answer; for the secretary, host and recorder the list, the
    QR code, attendance, minutes and files."""
    meeting = get_meeting_for_user(request.user, meeting_id)
    user = request.user
    steps = set(MEETING.available_steps(user, meeting))
    manager = is_manager(user, meeting)
    keeper = MEETING.acting(user, "mark_attendance", meeting) is not None
    mine = attendee_of(user, meeting)
    versions = list(meeting.minutes_versions.select_related("written_by", "signed_off_by").order_by("-number"))
    latest = versions[0] if versions else None
    minutes_steps = set(MINUTES.available_steps(user, latest)) if latest else set()
    may_write_first = latest is None and "write_minutes" in steps
    # Attendees read the signed minutes; drafts only those who keep them.
    shown = latest if keeper else next((v for v in versions if v.is_signed_off), None)
    attendees = list(meeting.attendees.select_related("member").order_by("member__name", "pk")) if keeper else []
    # The QR code only while checking in can still work: a planned meeting, before the check-in window closes.
    now = timezone.now()
    opens, closes = actions.check_in_window(meeting)
    check_in_open = meeting.state == Meeting.State.PLANNED and now <= closes
    context = {
        "org": meeting.organization if manager else None,
        "meeting": meeting,
        "steps": steps,
        "manager": manager,
        "keeper": keeper,
        "mine": mine,
        "answer_form": AnswerForm(initial={"leave_reason": mine.leave_reason if mine else ""}),
        "cancel_form": CancelForm(),
        "file_form": FileForm(),
        "attendees": attendees,
        "counts": with_answer_counts(Meeting.objects.filter(pk=meeting.pk)).values(
            "invited", "confirmed", "on_leave", "present"
        )[0],
        "versions": versions if keeper else [v for v in versions if v.is_signed_off],
        "latest": latest,
        "shown": shown,
        "minutes_steps": minutes_steps,
        "may_write_first": may_write_first,
        "may_upload": keeper and "upload" in steps and (latest is None or not latest.is_signed_off),
        "files": list(meeting.files.all()) if keeper or shown else [],
        "qr": qr_svg_for(check_in_url(request, meeting), _("QR code for checking in to this meeting"))
        if keeper and check_in_open
        else "",
        "check_in_opens": opens,
        "now": now,
        **printing.signature(meeting, shown),
    }
    return render(request, "meetings/meeting.html", context)


def _post_step(request, meeting_id: int, do, success: str):
    meeting = get_meeting_for_user(request.user, meeting_id)
    try:
        do(meeting)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("console:meeting", meeting.pk)


@require_POST
@signed_in_view
def meeting_cancel(request, meeting_id: int):
    form = CancelForm(request.POST)
    reason = form.data.get("reason", "")[:200]
    return _post_step(
        request,
        meeting_id,
        lambda m: actions.cancel_meeting(request.user, m.pk, reason),
        _("The meeting was cancelled and the attendees were told."),
    )


@require_POST
@signed_in_view
def meeting_held(request, meeting_id: int):
    return _post_step(
        request,
        meeting_id,
        lambda m: actions.record_held(request.user, m.pk),
        _("The meeting was recorded as held."),
    )


@require_POST
@signed_in_view
def meeting_attendance(request, meeting_id: int):
    ids = [value for value in request.POST.getlist("attended") if value.isdigit()]
    return _post_step(
        request,
        meeting_id,
        lambda m: actions.mark_attendance(request.user, m.pk, [int(pk) for pk in ids]),
        _("Attendance was saved."),
    )


@require_POST
@signed_in_view
def meeting_answer(request, meeting_id: int):
    form = AnswerForm(request.POST)
    answer = form.data.get("answer", "")
    reason = form.data.get("leave_reason", "")
    done = _("You asked for leave.") if answer == "leave" else _("Thank you: you confirmed that you will attend.")
    return _post_step(request, meeting_id, lambda m: actions.answer_meeting(request.user, m.pk, answer, reason), done)


@require_POST
@signed_in_view
def minutes_sign_off(request, meeting_id: int):
    form = SignOffForm(request.POST)
    if not form.is_valid():
        meeting = get_meeting_for_user(request.user, meeting_id)
        for texts in form.errors.values():
            for text in texts:
                messages.error(request, str(text))
        return redirect("console:meeting", meeting.pk)
    number = form.cleaned_data.get("number")
    return _post_step(
        request,
        meeting_id,
        lambda m: actions.sign_off_minutes(request.user, m.pk, number=number),
        _("The minutes were signed off."),
    )


@signed_in_view
def minutes_edit(request, meeting_id: int, correct: bool = False):
    """The minutes' draft (the first version or the current draft), or a correction of signed-off minutes."""
    meeting = get_meeting_for_user(request.user, meeting_id)
    latest = actions.latest_minutes(meeting)
    if correct:
        allowed = latest is not None and MINUTES.may(request.user, "correct", latest)
    else:
        allowed = MEETING.may(request.user, "write_minutes", meeting) and (
            latest is None or MINUTES.may(request.user, "edit", latest)
        )
    if request.method == "GET" and not allowed:
        if latest is not None and latest.is_signed_off and not correct:
            messages.error(request, MINUTES.refusal("signed"))
            return redirect("console:meeting", meeting.pk)
        raise Http404
    form = MinutesForm(request.POST or None, correcting=correct, minutes=latest)
    if request.method == "POST" and form.is_valid():
        try:
            if correct:
                actions.correct_minutes(request.user, meeting.pk, form.to_input())
            else:
                seen = form.cleaned_data.get("seen_version")
                actions.save_minutes(request.user, meeting.pk, form.to_input(), expected_version=seen)
        except ActionError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("console:meeting", meeting.pk)
    title = _("Correct the minutes") if correct else _("Minutes")
    return render(
        request,
        "meetings/minutes_form.html",
        {"meeting": meeting, "form": form, "title": title, "correct": correct, "latest": latest},
    )


@require_POST
@signed_in_view
def meeting_file_add(request, meeting_id: int):
    meeting = get_meeting_for_user(request.user, meeting_id)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Please choose a photo or a file."))
        return redirect("console:meeting", meeting.pk)
    return _post_step(
        request,
        meeting_id,
        lambda m: actions.add_meeting_file(request.user, m.pk, form.cleaned_data["file"]),
        _("The file was added."),
    )


@signed_in_view
def meeting_file(request, meeting_id: int, file_id: int):
    """A photo or file of the minutes, only for those who may see the meeting (never by its path)."""
    meeting = get_meeting_for_user(request.user, meeting_id)
    item = get_object_or_404(MeetingFile, pk=file_id, meeting=meeting)
    inline = item.kind == MeetingFile.Kind.PHOTO
    response = FileResponse(
        item.file.open("rb"), as_attachment=not inline, filename=item.name, content_type=item.content_type
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _printed_minutes(request, meeting_id: int) -> tuple[Meeting, Minutes | None]:
    meeting = get_meeting_for_user(request.user, meeting_id)
    keeper = MEETING.acting(request.user, "mark_attendance", meeting) is not None or is_manager(request.user, meeting)
    versions = meeting.minutes_versions.select_related("signed_off_by", "written_by")
    if not keeper:
        versions = versions.filter(signed_off_at__isnull=False)
    number = request.GET.get("v", "")
    if number.isdigit():
        minutes = versions.filter(number=int(number)).first()
        if minutes is None:
            raise Http404
    else:
        minutes = versions.order_by("-number").first()
    if minutes is None and not keeper:
        raise Http404
    return meeting, minutes


@signed_in_view
def minutes_print(request, meeting_id: int):
    meeting, minutes = _printed_minutes(request, meeting_id)
    return render(request, "meetings/minutes_print.html", printing.minutes_context(meeting, minutes))


@signed_in_view
def minutes_pdf(request, meeting_id: int):
    meeting, minutes = _printed_minutes(request, meeting_id)
    response = HttpResponse(printing.pdf_bytes(request, meeting, minutes), content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    filename = f"会议记录-{day}-{meeting.pk}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value)
