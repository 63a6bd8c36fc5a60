"""Discipline officers' console: two-factor sign-in, the report inbox, a report and its steps,
unit keys (create, grant, recover) and the audit trail for the unit head."""

from __future__ import annotations

import base64
import functools
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.models import Role, RoleGrant
from dangjian.core.history import ActionError
from dangjian.organizations.models import Organization

from . import actions, keys, workflow
from .forms import GrantForm, OfficerMessageForm, RecoveryForm, StepForm, TokenForm
from .models import AuditEntry, Report, UnitKey, UnitKeyGrant


def _is_officer(user) -> bool:
    return RoleGrant.objects.filter(user=user, role=Role.DISCIPLINE).exists()


def officer_view(view):
    """Signed in, a discipline officer, verified with a one-time code, and with the key unlocked."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not _is_officer(request.user):
            raise PermissionDenied
        if not request.user.is_verified():
            return redirect(f"{reverse('console:two_factor')}?next={request.get_full_path()}")
        private = keys.private_key_from_session(request)
        if private is None:
            messages.warning(request, _("Sign in again to unlock the report keys."))
            return redirect_to_login(request.get_full_path())
        request.supervision_private_key = private
        return view(request, *args, **kwargs)

    return wrapper


def two_factor(request):
    """Verify the one-time code, or set up the authenticator app on first use."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = request.GET.get("next") or reverse("console:supervision_inbox")
    if not next_url.startswith("/"):
        next_url = reverse("console:supervision_inbox")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
            user=request.user, name="authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("The code is wrong or has expired. Enter the current code."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        qr = segno.make(device.config_url, error="m")
        context["qr"] = "data:image/svg+xml;base64," + base64.b64encode(qr.svg_inline(scale=4).encode()).decode()
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "supervision/console/two_factor.html", context, status=400 if form.errors else 200)


def _summaries(request, reports):
    reader = actions.OfficerReader(request.user, request.supervision_private_key)
    rows = []
    for report in reports:
        try:
            opened = reader.open(report, record=False)
        except Http404:
            continue
        rows.append({"report": report, "payload": opened.payload})
    return rows


@officer_view
def inbox(request):
    units = actions.readable_units(request.user)
    reports = actions.reports_for_reading().filter(receiving_unit__in=units)[:300]
    my_units = actions.officer_units(request.user)
    return render(
        request,
        "supervision/console/inbox.html",
        {
            "rows": _summaries(request, reports),
            "units": my_units,
            "keyless": [u for u in my_units if not UnitKey.objects.filter(organization=u).exists()],
            "locked": [
                u
                for u in my_units
                if UnitKey.objects.filter(organization=u).exists()
                and not UnitKeyGrant.objects.filter(unit_key__organization=u, user=request.user).exists()
            ],
        },
    )


def _lower_units(report: Report) -> list:
    return [
        (o.pk, o.name)
        for o in report.receiving_unit.subtree()
        .exclude(pk=report.receiving_unit_id)
        .filter(supervision_key__isnull=False)
        .order_by("path")[:300]
    ]


def _report_page(request, opened, bound=None, status=200):
    report = opened.report
    key = opened.key
    step_forms = {
        action: StepForm(
            initial={"version": report.version}, prefix=action, action=action, lower_units=_lower_units(report)
        )
        for action in workflow.TRANSITIONS
        if action != "object" and workflow.allowed(action, report.state)
    }
    if bound:
        step_forms.update(bound)
    events = [
        {
            "kind": e.kind,
            "state": e.get_state_display(),
            "on": e.on,
            "text": actions.decrypt_text(e.text, key),
            "for_reporter": e.for_reporter,
        }
        for e in report.events.all()
    ]
    messages_list = [
        {"mine": not m.from_reporter, "on": m.on, "author": m.author, "body": actions.decrypt_text(m.body, key)}
        for m in report.messages.select_related("author")
    ]
    evidence = [
        {
            "id": item.pk,
            "from_reporter": item.from_reporter,
            "on": item.on,
            **actions._loads(actions.crypto.decrypt(bytes(item.meta), key)),
        }
        for item in report.evidence.all()
    ]
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
    opened = actions.open_as_officer(request.user, request.supervision_private_key, report_id)
    return _report_page(request, opened)


@require_POST
@officer_view
def report_step(request, report_id: int, step: str):
    opened = actions.open_as_officer(request.user, request.supervision_private_key, report_id, record=False)
    if step == "message":
        form = OfficerMessageForm(request.POST)
        if form.is_valid():
            try:
                actions.officer_message(request.user, opened, form.cleaned_data["body"])
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The message was sent to the reporter."))
                return redirect("console:supervision_report", report_id=report_id)
        return _report_page(request, opened, {"message": form}, status=400)
    if step not in workflow.TRANSITIONS or step == "object":
        raise Http404
    form = StepForm(request.POST, prefix=step, action=step, lower_units=_lower_units(opened.report))
    if form.is_valid():
        data = form.cleaned_data
        lower = Organization.objects.filter(pk=data["lower_unit"]).first() if data["lower_unit"] else None
        try:
            actions.transition(
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
    opened = actions.open_as_officer(request.user, request.supervision_private_key, report_id, record=False)
    content, meta = actions.evidence_content(opened, request.user, evidence_id)
    response = HttpResponse(content, content_type=meta["type"])
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(meta["name"])
    response["Cache-Control"] = "no-store"
    return response


def _unit_for_officer(request, org_id: int) -> Organization:
    unit = get_object_or_404(Organization, pk=org_id)
    if not RoleGrant.objects.filter(user=request.user, role=Role.DISCIPLINE, organization=unit).exists():
        raise PermissionDenied
    return unit


@officer_view
def unit_keys(request, org_id: int):
    unit = _unit_for_officer(request, org_id)
    unit_key = UnitKey.objects.filter(organization=unit).first()
    officers = list(actions.discipline_officers(unit))
    grant_form = GrantForm(
        request.POST if request.POST.get("do") == "grant" else None, officers=[(o.pk, str(o)) for o in officers]
    )
    recovery_form = RecoveryForm(request.POST if request.POST.get("do") == "recover" else None)
    recovery = None
    if request.method == "POST":
        try:
            do = request.POST.get("do")
            if do == "create":
                recovery = keys.create_unit_key(request.user, unit, request.supervision_private_key)
                actions.audit(unit, request.user, "keys_created")
                unit_key = UnitKey.objects.get(organization=unit)
            elif do == "grant" and grant_form.is_valid() and unit_key:
                officer = next(o for o in officers if o.pk == grant_form.cleaned_data["officer"])
                keys.grant_access(request.user, request.supervision_private_key, unit_key, officer)
                actions.audit(unit, request.user, "grant", detail=officer.username)
                messages.success(request, _("Access was granted."))
                return redirect("console:supervision_keys", org_id=unit.pk)
            elif do == "recover" and recovery_form.is_valid() and unit_key:
                keys.recover_access(request.user, unit_key, recovery_form.cleaned_data["recovery"])
                actions.audit(unit, request.user, "recover")
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
    """The unit head (secretary or administrator of the unit) reads who did what; nobody can edit it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    unit = get_object_or_404(Organization, pk=org_id)
    allowed = RoleGrant.objects.filter(
        user=request.user, organization=unit, role__in=[Role.SECRETARY, Role.ORG_ADMIN]
    ).exists()
    if not allowed and not request.user.is_superuser:
        raise PermissionDenied
    entries = AuditEntry.objects.filter(unit=unit).select_related("actor")[:500]
    return render(
        request,
        "supervision/console/audit.html",
        {"unit": unit, "entries": entries, "chain": actions.audit_chain_status()},
    )
