"""The reporter's pages. No account, no cookie, no session: a follow-up is opened with the receipt
alone, and every form after it carries the receipt back (the pages are never cached)."""

import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from dangjian.core.history import ActionError
from dangjian.core.outage import keeps_form_during_outage
from dangjian.core.throttle import client_key
from dangjian.organizations.models import Organization
from dangjian.organizations.portal import portal_context

from . import receipts, reports
from .crypto import decrypt_text
from .evidence import evidence_metas
from .forms import ObjectionForm, ReceiptForm, ReporterEvidenceForm, ReporterMessageForm, ReportForm
from .models import SUBCATEGORIES, State
from .routing import unit_title


def intro(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    return render(request, "supervision/intro.html", portal_context(organization, "supervision"))


@keeps_form_during_outage(ReportForm)
@csrf_exempt  # no session exists to protect, and no cookie may be set for a reporter
@never_cache
def report(request, org_id: int):
    organization = get_object_or_404(Organization, pk=org_id)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"organization": organization.pk, "client_token": uuid.uuid4()},
    )
    context = portal_context(organization, "supervision")
    context["subcategories"] = SUBCATEGORIES
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed, receipt = reports.submit_report(
                reported_org=data["organization"],
                person=data["person"].strip(),
                post=data["post"].strip(),
                discipline=data["discipline"],
                subcategory=data["subcategory"],
                what=data["what"].strip(),
                when=data["when"].strip(),
                where=data["where"].strip(),
                real_name=data["real_name"],
                reporter_name=data["reporter_name"].strip(),
                reporter_phone=data["reporter_phone"].strip(),
                evidence=data["evidence"],
                client_token=data.get("client_token"),
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            shown = receipts.format_receipt(receipt)
            # Two groups of four on a line: on a narrow screen the code breaks 2 + 2, never 3 + 1.
            halves = [" ".join(shown.split()[:2]), " ".join(shown.split()[2:])]
            context.update(
                {
                    "receipt": shown,
                    "receipt_halves": halves,
                    "report": filed,
                    "recipient": unit_title(filed.receiving_unit),
                }
            )
            return render(request, "supervision/submitted.html", context)
    context["form"] = form
    return render(request, "supervision/report.html", context, status=400 if form.errors else 200)


@csrf_exempt
@never_cache
def follow(request):
    """GET: the receipt form. POST: open the report (and take a message, evidence or an objection)."""
    form = ReceiptForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "supervision/follow.html", {"form": form}, status=400 if form.errors else 200)
    receipt = form.cleaned_data["receipt"]
    step = request.POST.get("step", "")
    forms = {
        "message": ReporterMessageForm(request.POST if step == "message" else None, prefix="m"),
        "evidence": ReporterEvidenceForm(
            request.POST if step == "evidence" else None, request.FILES if step == "evidence" else None, prefix="e"
        ),
        "object": ObjectionForm(request.POST if step == "object" else None, prefix="o"),
    }
    done = ""
    client = client_key(request)
    token = request.POST.get("token", "")[:64]  # the rendered page's one-time token: a reload sends nothing twice
    try:
        if step in forms and forms[step].is_valid():
            data = forms[step].cleaned_data
            if step == "message":
                reports.reporter_message(receipt, data["body"], client, token=token)
            elif step == "evidence":
                reports.reporter_evidence(receipt, data["evidence"], client, token=token)
            else:
                reports.reporter_objection(receipt, data["reason"], client)
            done = step
            forms[step] = forms[step].__class__(prefix=forms[step].prefix)
        filed, key = receipts.open_with_receipt(receipt, client)
    except (ActionError, ValidationError) as error:
        form.add_error(None, str(error) if isinstance(error, ActionError) else " ".join(error.messages))
        status = 429 if isinstance(error, receipts.TooManyGuesses) else 400
        return render(request, "supervision/follow.html", {"form": form}, status=status)
    events = [
        {"kind": e.kind, "state": e.get_state_display(), "on": e.on, "text": decrypt_text(e.text, key)}
        for e in filed.events.filter(for_reporter=True)
    ]
    messages = [{"mine": m.from_reporter, "on": m.on, "body": decrypt_text(m.body, key)} for m in filed.messages.all()]
    evidence = evidence_metas(filed, key)
    return render(
        request,
        "supervision/status.html",
        {
            "report": filed,
            "receipt": receipt,
            "events": events,
            "messages_list": messages,
            "evidence": evidence,
            "forms": forms,
            "done": done,
            "form_token": uuid.uuid4(),
            "can_object": filed.state == State.FED_BACK,
            "archived": filed.state == State.ARCHIVED,
        },
        status=400 if step in forms and forms[step].errors else 200,
    )
