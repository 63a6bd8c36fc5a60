"""The reporter's writes: filing a report (encrypted before it reaches the database) and following it up
with the receipt (messages, evidence, an objection to the result). Also the report's event record, which
the officers' steps write too."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.history import ActionError
from dangjian.core.uploads import discard_all_on_failure
from dangjian.core.workdays import add_workdays
from dangjian.organizations.models import Organization

from . import crypto, notices, workflow
from .evidence import PreparedEvidence, store_evidence
from .models import Evidence, Message, Report, ReportEvent, State
from .notices import notify_unit
from .receipts import dedupe_mark, installation_salt, new_receipt, open_with_receipt, receipt_for_token
from .routing import route_with_reasons, share_with


def record_event(report: Report, kind: str, report_key: bytes, text: str = "", for_reporter: bool = True, state=""):
    """A line of the report's history (the text encrypted with the report key), shown to the reporter unless not."""
    return ReportEvent.objects.create(
        report=report,
        kind=kind,
        state=state or report.state,
        on=timezone.localdate(),
        text=crypto.encrypt(text.encode(), report_key) if text else None,
        for_reporter=for_reporter,
    )


def submit_report(
    *,
    reported_org: Organization,
    person: str,
    post: str,
    discipline: str,
    subcategory: str,
    what: str,
    when: str = "",
    where: str = "",
    real_name: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    evidence: list[PreparedEvidence] | tuple = (),
    client_token=None,
) -> tuple[Report, str]:
    """Encrypt and file a report. Returns (report, receipt); the receipt is never stored. The same
    `client_token` again returns the report filed the first time (with the same receipt)."""
    receipt = receipt_for_token(client_token) if client_token else new_receipt()
    receipt_hash = crypto.receipt_lookup(receipt, installation_salt())
    existing = Report.objects.filter(receipt_hash=receipt_hash).first() if client_token else None
    if existing is not None:
        return existing, receipt
    unit, excluded, reasons = route_with_reasons(reported_org, person)
    report_key = crypto.random_key()
    reporter_salt = crypto.random_salt()
    payload = {
        "discipline": discipline,
        "subcategory": subcategory,
        "person": person,
        "post": post,
        "organization_id": reported_org.pk,
        "organization": reported_org.name,
        "what": what,
        "when": when,
        "where": where,
        "reporter": {"name": reporter_name, "phone": reporter_phone} if real_name else None,
        "excluded_officers": excluded,
        "routing": reasons,  # why a unit below was passed over, shown to the officers who read it
    }
    # The slow parts (two Argon2id derivations) run before the transaction takes the write lock.
    wrapped = crypto.encrypt(report_key, crypto.kdf(receipt, reporter_salt))
    sealed_payload = crypto.encrypt_json(payload, report_key)
    try:
        report = _file(
            unit, report_key, receipt_hash, reporter_salt, wrapped, real_name, sealed_payload, evidence, bool(reasons)
        )
    except IntegrityError:  # the same form posted twice at the same moment: the other request filed it
        existing = Report.objects.filter(receipt_hash=receipt_hash).first() if client_token else None
        if existing is None:
            raise
        return existing, receipt
    return report, receipt


def _file(
    unit, report_key, receipt_hash, reporter_salt, wrapped, real_name, sealed_payload, evidence, passed_over=False
) -> Report:
    today = timezone.localdate()
    with discard_all_on_failure(default_storage) as stored, transaction.atomic():
        report = Report.objects.create(
            receipt_hash=receipt_hash,
            reporter_salt=reporter_salt,
            reporter_wrapped_key=wrapped,
            receiving_unit=unit,
            real_name=real_name,
            received_on=today,
            acceptance_due=add_workdays(today, workflow.ACCEPTANCE_NOTICE_DAYS),
            payload=sealed_payload,
        )
        share_with(report, report_key, unit)
        record_event(report, "received", report_key)
        for number, item in enumerate(evidence, 1):
            stored.append(store_evidence(report, report_key, item, from_reporter=True, number=number).blob.name)
        if passed_over:
            notify_unit(unit, notices.PASSED_OVER)
        else:
            notify_unit(unit, notices.NEW_REPORT)
    return report


def reporter_message(receipt: str, body: str, client: str = "", token: str = "") -> Message:
    """The reporter's message; the same page's form (`token`) posted again adds nothing."""
    body = body.strip()
    if not body:
        raise ActionError(_("The message is empty."))
    report, key = open_with_receipt(receipt, client)
    if report.state == State.ARCHIVED:
        raise ActionError(_("The report is archived; no more messages can be added."))
    dedupe = dedupe_mark(key, "message", token)
    with transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).exists()
        earlier = Message.objects.filter(report=report, dedupe=dedupe).first() if dedupe else None
        if earlier is not None:
            return earlier
        message = Message.objects.create(
            report=report,
            from_reporter=True,
            on=timezone.localdate(),
            body=crypto.encrypt(body.encode(), key),
            dedupe=dedupe,
        )
        notify_unit(report.receiving_unit, notices.REPORTER_MESSAGE)
    return message


def reporter_evidence(receipt: str, items: list[PreparedEvidence], client: str = "", token: str = "") -> list[Evidence]:
    """The reporter's added files; the same page's form (`token`) posted again adds nothing."""
    report, key = open_with_receipt(receipt, client)
    if report.state == State.ARCHIVED:
        raise ActionError(_("The report is archived; no more evidence can be added."))
    dedupe = dedupe_mark(key, "evidence", token)
    with discard_all_on_failure(default_storage) as stored, transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).exists()
        earlier = list(Evidence.objects.filter(report=report, dedupe=dedupe)) if dedupe else []
        if earlier:
            return earlier
        first = report.evidence.count() + 1
        added = [
            store_evidence(report, key, item, from_reporter=True, number=first + n, dedupe=dedupe)
            for n, item in enumerate(items)
        ]
        stored.extend(item.blob.name for item in added)
    return added


def reporter_objection(receipt: str, reason: str, client: str = "") -> Report:
    """The reporter objects to the result (the workflow's "object" step, taken with the receipt)."""
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Please say why you object to the result."))
    report, key = open_with_receipt(receipt, client)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        last = report.events.order_by("-id").first()
        repeated = last is not None and last.kind == "object" and crypto.decrypt_text(last.text, key) == reason
        if report.state == State.OBJECTED and repeated:
            return report  # the same objection posted again (a reload): recorded once
        workflow.check("object", report.state)
        report.state = workflow.target("object")
        report.version += 1
        report.save(update_fields=["state", "version"])
        record_event(report, "object", key, reason)
        notify_unit(report.receiving_unit, notices.OBJECTION)
    return report
