"""Pages of the training area. Console (MANAGE_TRAINING on the session's organization): the list, a new session,
a session's page (registrations, attendance ticks, walk-ins, materials, cancel), its edit page and the door page
with the check-in QR code. For invitees (and organizers): the session's page with register / withdraw, the
check-in page the door code opens, and the materials (served by a permission-checked view, never by path)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import MANAGE_TRAINING, get_organization_for_user, organizations_for
from dangjian.console.shell import add_field_errors, console_view, render_form_page, signed_in_view
from dangjian.core.history import ActionError, InvalidInput, history_for
from dangjian.organizations.models import Organization

from . import training_actions as actions
from . import training_queries as queries
from .models import Registration, TrainingSession
from .queries import get_for_user, may_use
from .training_forms import CancelForm, SessionForm

PAST_SHOWN = 50


def _session_for_organizer(request, session_id: int) -> TrainingSession:
    session = get_for_user(
        TrainingSession.objects.select_related("organization", "exam"), request.user, session_id, MANAGE_TRAINING
    )
    assert isinstance(session, TrainingSession)
    return session


def _exam_url(session: TrainingSession) -> str:
    """The learner's page of the session's exam ("" without one)."""
    if session.exam_id is None:
        return ""
    return reverse("learning:exam", args=[session.exam_id])


# --- Console ----------------------------------------------------------------------------------------------------


@console_view
def session_list(request):
    sessions = queries.visible_sessions(request.user)
    if not may_use(request.user, MANAGE_TRAINING):
        raise PermissionDenied
    counted = sessions.select_related("organization").annotate(
        registered=Count("registrations", filter=Q(registrations__state=Registration.State.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__state=Registration.State.WAITING)),
        attended=Count("registrations", filter=Q(registrations__attended=True)),
    )
    now = timezone.now()
    organizations = list(organizations_for(request.user, MANAGE_TRAINING).open().order_by("path")[:500])
    return render(
        request,
        "learning/training_list.html",
        {
            "upcoming": list(counted.filter(ends_at__gte=now).order_by("starts_at", "pk")),
            "past": list(counted.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_SHOWN]),
            "organizations": organizations,
        },
    )


def session_new_choose(request):
    """The list's "new session" form names the organization; go to its page."""
    try:
        org_id = int(request.GET.get("org", ""))
    except ValueError:
        return redirect("console:training_sessions")
    return redirect("console:training_new", org_id)


session_new_choose = console_view(session_new_choose)


def _save_page(request, org: Organization, session: TrainingSession | None):
    form = SessionForm(
        request.POST or None, request.FILES or None, instance=session or TrainingSession(), organization=org
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_session(
                request.user,
                org.pk,
                form.to_input(),
                session_id=session.pk if session else None,
                expected_version=form.expected_version,
                files=form.material_files(),
            )
        except InvalidInput as error:
            add_field_errors(form, error)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The session is published; the invitees are told.") if session is None else _("Saved.")
            )
            return redirect("console:training_session", saved.pk)
    title = _("New training session") if session is None else _("Change the session")
    return render_form_page(
        request,
        form,
        org=org,
        title=f"{title} · {org.short_name or org.name}",
        template="learning/training_form.html",
        status=400 if request.method == "POST" else 200,
        session=session,
    )


@console_view
def session_new(request, org_id: int):
    org = get_organization_for_user(request.user, org_id, MANAGE_TRAINING)
    return _save_page(request, org, None)


@console_view
def session_edit(request, session_id: int):
    session = _session_for_organizer(request, session_id)
    if session.state == TrainingSession.State.CANCELLED:
        messages.error(request, _("This session is cancelled; it can no longer be changed."))
        return redirect("console:training_session", session.pk)
    return _save_page(request, session.organization, session)


@console_view
def session_detail(request, session_id: int):
    session = _session_for_organizer(request, session_id)
    registrations = list(
        session.registrations.exclude(state=Registration.State.CANCELLED)
        .select_related("user", "organization")
        .order_by("registered_at", "pk")
    )
    registered = [r for r in registrations if r.state == Registration.State.REGISTERED]
    waiting = [r for r in registrations if r.state == Registration.State.WAITING]
    known = {r.user_id for r in registrations}
    from django.contrib.auth import get_user_model

    walk_ins = list(
        get_user_model()
        .objects.filter(pk__in=queries.invitee_ids(session) - known)
        .order_by("full_name", "username")[:500]
    )
    now = timezone.now()
    opens, closes = queries.checkin_window(session)
    return render(
        request,
        "learning/training_session.html",
        {
            "session": session,
            "org": session.organization,
            "registered": registered,
            "waiting": waiting,
            "attended_count": sum(1 for r in registrations if r.attended),
            "invited_count": len(queries.invitee_ids(session)),
            "walk_ins": walk_ins,
            "materials": list(session.materials.all()),
            "may_mark": session.state != TrainingSession.State.CANCELLED and now >= opens,
            "may_cancel": session.state == TrainingSession.State.PLANNED and session.ends_at > now,
            "checkin_open": opens <= now <= closes,
            "checkin_opens": opens,
            "cancel_form": CancelForm(initial={"seen_version": session.version}),
            "history": history_for(session)[:20],
        },
    )


@require_POST
@console_view
def session_attendance(request, session_id: int):
    session = _session_for_organizer(request, session_id)

    def ids(name: str) -> set[int]:
        return {int(value) for value in request.POST.getlist(name) if value.isdigit()}

    try:
        count = actions.save_attendance(request.user, session.pk, ids("attended"), ids("walk_in"))
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attendance saved: %(n)s attended.") % {"n": count})
    return redirect("console:training_session", session.pk)


@require_POST
@console_view
def session_cancel(request, session_id: int):
    session = _session_for_organizer(request, session_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason (at most 300 characters)."))
        return redirect("console:training_session", session.pk)
    try:
        actions.cancel_session(
            request.user, session.pk, form.cleaned_data["reason"], expected_version=form.cleaned_data["seen_version"]
        )
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The session is cancelled; those registered are told."))
    return redirect("console:training_session", session.pk)


@require_POST
@console_view
def session_renew_code(request, session_id: int):
    session = _session_for_organizer(request, session_id)
    actions.renew_checkin(request.user, session.pk)
    messages.success(request, _("A new check-in code is made; the old one no longer works."))
    return redirect("console:training_door", session.pk)


@require_POST
@console_view
def material_remove(request, session_id: int, material_id: int):
    session = _session_for_organizer(request, session_id)
    try:
        actions.remove_material(request.user, session.pk, material_id)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The file is removed."))
    return redirect("console:training_session", session.pk)


def checkin_url(request, session: TrainingSession) -> str:
    return request.build_absolute_uri(reverse("learning:training_checkin", args=[session.pk, session.checkin_token]))


def qr_svg_for(url: str, label: str) -> SafeString:
    """The check-in address as inline SVG markup (nothing to fetch)."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=6, border=4, light="#fff", dark="#000")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S308


@console_view
def session_door(request, session_id: int):
    """The page to show at the door: the check-in QR code (and its address, for typing)."""
    session = _session_for_organizer(request, session_id)
    url = checkin_url(request, session)
    opens, closes = queries.checkin_window(session)
    return render(
        request,
        "learning/training_door.html",
        {
            "session": session,
            "qr": qr_svg_for(url, _("QR code to check in to %(title)s") % {"title": session.title}),
            "url": url,
            "opens": opens,
            "closes": closes,
            "cancelled": session.state == TrainingSession.State.CANCELLED,
        },
    )


# --- Invitees ---------------------------------------------------------------------------------------------------


def _session_for_invitee(request, session_id: int) -> tuple[TrainingSession, bool]:
    """The session and whether the person organizes it; 403 for someone neither invited nor organizing (unless they
    registered before, e.g. before the invitation changed)."""
    session = get_object_or_404(TrainingSession.objects.select_related("organization", "exam"), pk=session_id)
    organizer = queries.may_organize(request.user, session)
    if (
        not organizer
        and not queries.is_invited(request.user, session)
        and queries.registration_of(request.user, session) is None
    ):
        raise PermissionDenied
    return session, organizer


@signed_in_view
def session_page(request, session_id: int):
    session, organizer = _session_for_invitee(request, session_id)
    mine = queries.registration_of(request.user, session)
    if mine is not None and mine.state == Registration.State.CANCELLED:
        mine = None
    now = timezone.now()
    taken = queries.registered_count(session)
    open_for_registration = session.state == TrainingSession.State.PLANNED and session.starts_at > now
    return render(
        request,
        "learning/training_page.html",
        {
            "session": session,
            "organizer": organizer,
            "mine": mine,
            "position": actions.position(mine) if mine else None,
            "free": max(session.capacity - taken, 0),
            "open_for_registration": open_for_registration,
            "invited": queries.is_invited(request.user, session),
            "materials": list(session.materials.all()),
            "show_link": session.mode == TrainingSession.Mode.ONLINE and (organizer or mine is not None),
            "exam_url": _exam_url(session) if mine is not None and mine.attended and session.ends_at <= now else "",
        },
    )


@require_POST
@signed_in_view
def session_register(request, session_id: int):
    session, _organizer = _session_for_invitee(request, session_id)
    try:
        registration = actions.register(request.user, session.pk)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        if registration.state == Registration.State.REGISTERED:
            messages.success(request, _("You are registered."))
        else:
            messages.success(
                request,
                _(
                    "All places are taken: you are number %(n)s on the waiting list. You will be told if a place frees up."
                )
                % {"n": actions.position(registration)},
            )
    return redirect("learning:training", session.pk)


@require_POST
@signed_in_view
def session_withdraw(request, session_id: int):
    session, _organizer = _session_for_invitee(request, session_id)
    try:
        actions.cancel_registration(request.user, session.pk)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your registration is withdrawn."))
    return redirect("learning:training", session.pk)


@signed_in_view
def session_checkin(request, session_id: int, token: str):
    """The page the door QR code opens on a phone: one button to confirm attendance."""
    session = get_object_or_404(TrainingSession.objects.select_related("organization"), pk=session_id)
    context: dict = {"session": session, "error": "", "done": False, "registration": None}
    status = 200
    registration = queries.registration_of(request.user, session)
    if request.method == "POST":
        try:
            context["registration"] = actions.check_in(request.user, session.pk, token)
            context["done"] = True
        except ActionError as error:
            context["error"] = str(error)
            status = 403
    else:
        import secrets

        if not secrets.compare_digest(session.checkin_token, token):
            context["error"] = _(
                "This check-in code is not valid: it may be an old code. Scan the code shown at the door now."
            )
            status = 403
        elif not queries.is_invited(request.user, session) and registration is None:
            context["error"] = actions.checkin_refusal()
            status = 403
        else:
            context["registration"] = registration
    if (
        status == 403
        and not queries.may_organize(request.user, session)
        and not queries.is_invited(request.user, session)
    ):
        context["session"] = None  # say nothing about a session the person is not invited to
    return render(request, "learning/training_checkin.html", context, status=status)


@signed_in_view
def material_file(request, session_id: int, material_id: int):
    session, _organizer = _session_for_invitee(request, session_id)
    material = session.materials.filter(pk=material_id).first()
    if material is None:
        raise Http404
    response = FileResponse(
        material.file.open("rb"), as_attachment=True, filename=material.name, content_type=material.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
