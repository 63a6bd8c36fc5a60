"""Discipline officers' console: two-factor sign-in, the report inbox, a report and its steps,
unit keys (create, grant, recover) and the audit trail for the unit head."""

from __future__ import annotations

import functools
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from dangjian.accounts import two_factor as two_factor_steps
from dangjian.accounts.models import RoleGrant
from dangjian.accounts.permissions import READ_SUPERVISION_AUDIT, SUPERVISION_OFFICER, has_capability, holds_any
from dangjian.core.history import ActionError
from dangjian.organizations.models import Organization

from . import audit as trail
from . import keys, reader, steps, workflow
from . import officers as roles
from .crypto import decrypt_text
from .evidence import evidence_content, evidence_metas
from .forms import GrantForm, OfficerForm, OfficerMessageForm, RecoveryForm, StepForm, TokenForm
from .models import AuditEntry, OfficerChange, UnitKey, UnitKeyGrant


def _is_officer(user) -> bool:
    return holds_any(user, SUPERVISION_OFFICER)


def officer_view(view):
    """Signed in, a discipline officer, verified with a one-time code, and with the key unlocked."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not _is_officer(request.user):
            raise PermissionDenied
        if not request.user.is_verified():
            return redirect(f"{reverse('console:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        private = keys.private_key_from_session(request)
        if private is None:
            messages.warning(request, _("Sign in again to unlock the report keys."))
            return redirect_to_login(request.get_full_path())
        request.supervision_private_key = private
        return view(request, *args, **kwargs)

    return wrapper


def two_factor(request):
    """Verify the one-time code, or set up the authenticator app on first use (accounts/two_factor.py)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("console:supervision_inbox")
    if request.method == "GET" and request.user.is_verified():
        return redirect(next_url)  # already verified in this session: nothing to ask again
    device = two_factor_steps.confirmed_device(request.user)
    enrolling = device is None
    form = TokenForm(request.POST or None)
    status = 200
    # Enrolling, a POST confirms the secret this session was shown; without one, a new secret is shown.
    lost = enrolling and request.method == "POST" and two_factor_steps.shown_enrolment(request) is None
    if lost:
        form.is_valid()
        form.add_error(None, _("The code shown before is no longer valid. Scan the new code below."))
        status = 400
    elif request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if enrolling:
            check, device = two_factor_steps.confirm_enrolment(request, token)  # the one write (an action)
        else:
            check = two_factor_steps.check_code(device, token)
        if check is None:  # the session no longer holds the secret it was shown (as `lost` above)
            lost = True
            form.add_error(None, _("The code shown before is no longer valid. Scan the new code below."))
            status = 400
        elif check.ok:
            otp_login(request, device)
            return redirect(next_url)
        else:
            form.add_error("token", check.error)
            status = check.status
    elif form.errors:
        status = 400
    if enrolling and (request.method != "POST" or lost):
        device = two_factor_steps.start_enrolment(request)
    elif enrolling and device is None:
        device = two_factor_steps.shown_enrolment(request)
    if form.errors:
        form.fields["token"].widget.attrs["autofocus"] = True  # the field, and the error above it, in view
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr"] = two_factor_steps.qr_svg(device)
        context["secret"] = two_factor_steps.grouped_secret(device)
    response = render(request, "supervision/console/two_factor.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _summaries(request, reports):
    officer_reader = reader.OfficerReader(request.user, request.supervision_private_key)
    rows = []
    for report in reports:
        try:
            opened = officer_reader.open(report, record=False)
        except Http404:
            continue
        rows.append({"report": report, "payload": opened.payload, "unit": opened.unit})
    # Whoever sees a reported person's name in a list has seen report content: one entry per report shown.
    trail.audit_many([(row["unit"], row["report"].pk) for row in rows], request.user, "list")
    return rows


@officer_view
def inbox(request):
    todo = request.GET.get("todo", "")
    todo = todo if todo in reader.TODO_STATES else ""
    reports = reader.inbox_reports(request.user, todo)
    my_units = reader.officer_units(request.user)
    return render(
        request,
        "supervision/console/inbox.html",
        {
            "rows": _summaries(request, reports),
            "todo": todo,
            "units": my_units,
            "keyless": [u for u in my_units if not UnitKey.objects.filter(organization=u).exists()],
            "locked": [
                u
                for u in my_units
                if UnitKey.objects.filter(organization=u).exists()
                and not UnitKeyGrant.objects.filter(
                    unit_key__organization=u, unit_key__retired_at__isnull=True, user=request.user
                ).exists()
            ],
        },
    )


def _lower_units(opened) -> list:
    """The units the officer may forward the report to (those the action accepts)."""
    return [(o.pk, o.name) for o in workflow.forward_targets(opened)[:300]]


def _report_page(request, opened, bound=None, status=200):
    """Every rendering of a report's content is audited, including a refused step that shows it again."""
    trail.audit(opened.unit, request.user, "view", opened.report.pk)
    report = opened.report
    key = opened.key
    # The steps the actions would allow this officer now (the same rules: workflow.available_steps).
    step_forms = {
        action: StepForm(
            initial={"version": report.version}, prefix=action, action=action, lower_units=_lower_units(opened)
        )
        for action in workflow.available_steps(request.user, opened)
    }
    if bound:
        step_forms.update(bound)
    events = [
        {
            "kind": e.kind,
            "state": e.get_state_display(),
            "on": e.on,
            "text": decrypt_text(e.text, key),
            "for_reporter": e.for_reporter,
        }
        for e in report.events.all()
    ]
    messages_list = [
        {"mine": not m.from_reporter, "on": m.on, "author": m.author, "body": decrypt_text(m.body, key)}
        for m in report.messages.select_related("author")
    ]
    evidence = evidence_metas(report, key)
    return render(
        request,
        "supervision/console/report.html",
        {
            "report": report,
            "payload": opened.payload,
            "events": events,
            "messages_list": messages_list,
            "evidence": evidence,
            "step_forms": step_forms,
            "message_form": (bound or {}).get("message") or OfficerMessageForm(),
        },
        status=status,
    )


@officer_view
def report_page(request, report_id: int):
    opened = reader.open_as_officer(request.user, request.supervision_private_key, report_id, record=False)
    return _report_page(request, opened)


@require_POST
@officer_view
def report_step(request, report_id: int, step: str):
    opened = reader.open_as_officer(request.user, request.supervision_private_key, report_id, record=False)
    if step == "message":
        message_form = OfficerMessageForm(request.POST)
        if message_form.is_valid():
            try:
                steps.officer_message(request.user, opened, message_form.cleaned_data["body"])
            except ActionError as error:
                message_form.add_error(None, str(error))
            else:
                messages.success(request, _("The message was sent to the reporter."))
                return redirect("console:supervision_report", report_id=report_id)
        return _report_page(request, opened, {"message": message_form}, status=400)
    if step not in steps.STEPS:
        raise Http404
    form = StepForm(request.POST, prefix=step, action=step, lower_units=_lower_units(opened))
    if form.is_valid():
        data = form.cleaned_data
        lower = Organization.objects.filter(pk=data["lower_unit"]).first() if data["lower_unit"] else None
        try:
            steps.transition(
                request.user,
                opened,
                step,
                text=data["text"],
                disposal=data["disposal"],
                lower_unit=lower,
                expected_version=data["version"],
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The step was recorded."))
            return redirect("console:supervision_report", report_id=report_id)
    return _report_page(request, opened, {step: form}, status=400)


@officer_view
def evidence_download(request, report_id: int, evidence_id: int):
    opened = reader.open_as_officer(request.user, request.supervision_private_key, report_id, record=False)
    content, meta = evidence_content(opened, request.user, evidence_id)
    response = HttpResponse(content, content_type=meta["type"])
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(meta["name"])
    response["Cache-Control"] = "no-store"
    return response


def _unit_for_officer(request, org_id: int) -> Organization:
    unit = get_object_or_404(Organization, pk=org_id)
    if not roles.is_officer_of(request.user, unit):
        raise PermissionDenied
    return unit


def supervisor_view(view):
    """Discipline officers (verified with a one-time code) and the system administrator; the key need
    not be unlocked, since deciding who is an officer never opens a report."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if _is_officer(request.user):
            if not request.user.is_verified():
                return redirect(f"{reverse('console:two_factor')}?next={request.get_full_path()}")
        elif not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@supervisor_view
def officers_home(request):
    """The units whose discipline officers this user decides on (or, for the administrator, may ask
    about), and the administrator's requests waiting for this user's confirmation."""
    if request.user.is_superuser:
        units = list(Organization.objects.filter(depth__lte=1).order_by("path")[:300])
    else:
        mine = reader.officer_units(request.user)
        units = []
        for unit in mine:
            if roles.may_decide(request.user, unit):
                units.append(unit)
            units.extend(unit.children.open().order_by("path"))
    return render(
        request,
        "supervision/console/officers_home.html",
        {"units": list({u.pk: u for u in units}.values()), "pending": roles.pending_for(request.user)},
    )


@supervisor_view
def officers_page(request, org_id: int):
    """The discipline officers of a unit: grant and revoke (officers of the unit above), ask for a
    change (the system administrator), confirm or decline such a request (officers of the unit above)."""
    from dangjian.accounts.models import User

    unit = get_object_or_404(Organization, pk=org_id)
    can_decide = roles.may_decide(request.user, unit)
    is_admin = request.user.is_superuser
    is_own = roles.is_officer_of(request.user, unit)
    if not (can_decide or is_admin or is_own):
        raise PermissionDenied
    form = OfficerForm(request.POST if request.POST.get("do") == "grant" else None)
    recovery = None
    if request.method == "POST":
        if not (can_decide or is_admin):
            raise PermissionDenied
        do = request.POST.get("do")
        confirmed = request.POST.get("confirm") == "yes"
        try:
            if do == "grant" and form.is_valid():
                elsewhere = list(
                    RoleGrant.objects.filter(user=form.user).exclude(organization=unit).select_related("organization")
                )
                if elsewhere and not confirmed:
                    return _confirm_page(request, unit, "grant", form.user, elsewhere=elsewhere)
                pending = roles.grant_officer(request.user, form.user, unit)
                if pending:
                    messages.success(
                        request, _("The request was recorded; an officer of the unit above must confirm it.")
                    )
                else:
                    messages.success(request, _("The discipline officer role was granted."))
                return redirect("console:supervision_officers", org_id=unit.pk)
            if do == "revoke":
                target = get_object_or_404(User, pk=request.POST.get("user") or 0)
                if not confirmed:
                    # The administrator acts alone only when no other officer above could confirm.
                    alone = not [o for o in roles.deciders(unit) if o.pk != target.pk]
                    return _confirm_page(request, unit, "revoke", target, applies=can_decide or alone)
                pending, recovery = roles.revoke_officer(request.user, target, unit)
                if pending:
                    messages.success(
                        request, _("The request was recorded; an officer of the unit above must confirm it.")
                    )
                else:
                    messages.success(request, _("The discipline officer role was revoked."))
            elif do in {"confirm", "decline"} and can_decide:
                change = get_object_or_404(
                    OfficerChange, pk=request.POST.get("change") or 0, unit=unit, status=OfficerChange.Status.PENDING
                )
                if do == "confirm" and change.kind == OfficerChange.Kind.REVOKE and not confirmed:
                    return _confirm_page(request, unit, "revoke", change.user, applies=True, change=change)
                recovery = roles.decide(request.user, change, confirm=do == "confirm")
                messages.success(request, _("The request was decided."))
            if recovery is None and do != "grant":
                return redirect("console:supervision_officers", org_id=unit.pk)
        except ActionError as error:
            messages.error(request, str(error))
    return render(
        request,
        "supervision/console/officers.html",
        {
            "unit": unit,
            "officers": list(roles.discipline_officers(unit)),
            "pending": OfficerChange.objects.filter(unit=unit, status=OfficerChange.Status.PENDING).select_related(
                "user", "proposed_by"
            ),
            "can_decide": can_decide,
            "is_admin": is_admin,
            "form": form,
            "recovery": recovery,
            "above": roles.supervising_unit(unit),
        },
        status=400 if form.errors else 200,
    )


def _confirm_page(request, unit, kind: str, person, *, applies: bool = True, elsewhere=(), change=None):
    """Say what a revocation (or a grant to someone with roles elsewhere) will do; nothing changes until
    the same form comes back with confirm=yes."""
    return render(
        request,
        "supervision/console/officer_confirm.html",
        {
            "unit": unit,
            "kind": kind,
            "person": person,
            "applies": applies,
            "elsewhere": elsewhere,
            "change": change,
            "login": request.POST.get("login", ""),
        },
    )


@officer_view
def unit_keys(request, org_id: int):
    unit = _unit_for_officer(request, org_id)
    unit_key = keys.current_unit_key(unit)
    officers = list(roles.discipline_officers(unit))
    grant_form = GrantForm(
        request.POST if request.POST.get("do") == "grant" else None, officers=[(o.pk, str(o)) for o in officers]
    )
    recovery_form = RecoveryForm(request.POST if request.POST.get("do") == "recover" else None)
    recovery = None
    if request.method == "POST":
        try:
            do = request.POST.get("do")
            if do == "create":
                recovery = roles.create_unit_keys(request.user, unit, request.supervision_private_key)
                unit_key = keys.current_unit_key(unit)
            elif do == "grant" and grant_form.is_valid() and unit_key:
                officer = next(o for o in officers if o.pk == grant_form.cleaned_data["officer"])
                roles.grant_key_access(request.user, request.supervision_private_key, unit, officer)
                messages.success(request, _("Access was granted."))
                return redirect("console:supervision_keys", org_id=unit.pk)
            elif do == "recover" and recovery_form.is_valid() and unit_key:
                roles.recover_key_access(request.user, unit, recovery_form.cleaned_data["recovery"])
                messages.success(request, _("Access was restored with the recovery key."))
                return redirect("console:supervision_keys", org_id=unit.pk)
        except ActionError as error:
            messages.error(request, str(error))
    grants = {g.user_id: g for g in UnitKeyGrant.objects.filter(unit_key=unit_key)} if unit_key else {}
    return render(
        request,
        "supervision/console/keys.html",
        {
            "unit": unit,
            "unit_key": unit_key,
            "recovery": recovery,
            "officers": [(o, grants.get(o.pk)) for o in officers],
            "grant_form": grant_form,
            "recovery_form": recovery_form,
            "has_access": request.user.pk in grants,
        },
    )


def audit_trail(request, org_id: int):
    """Who did what with the unit's reports, for the unit's head and the heads above it, and for the
    discipline officers of the unit and of the units above; nobody can edit it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    unit = get_object_or_404(Organization, pk=org_id)
    if not has_capability(request.user, READ_SUPERVISION_AUDIT, unit):
        raise PermissionDenied
    if _is_officer(request.user) and not request.user.is_verified():
        # An officer's password alone opens nothing of supervision, not even who handled which report when.
        return redirect(f"{reverse('console:two_factor')}?{urlencode({'next': request.get_full_path()})}")
    entries = AuditEntry.objects.filter(unit=unit).select_related("actor")[:500]
    return render(
        request,
        "supervision/console/audit.html",
        {"unit": unit, "rows": trail.audit_rows(unit, entries), "chain": trail.audit_chain_status()},
    )
