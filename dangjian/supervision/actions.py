"""Every write of the supervision module. Contents are encrypted before they reach the database.

Officers act with their unlocked private key (`keys.private_key_from_session`); reporters with
their receipt. Every officer's view, download, message and transition is written to the audit trail.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.exceptions import CryptoError

from dangjian.accounts.models import NAME_SEPARATORS, Role, RoleGrant, personal_name_from
from dangjian.core.history import ActionError
from dangjian.core.throttle import Throttle
from dangjian.core.uploads import check_attachment, discard_all_on_failure, process_photo
from dangjian.core.workdays import add_workdays
from dangjian.organizations.models import Organization

from . import crypto, keys, workflow
from .audit import audit
from .models import (
    Evidence,
    Installation,
    Message,
    Report,
    ReportEvent,
    ReportKeyShare,
    State,
    UnitKey,
)

logger = logging.getLogger(__name__)
RECEIPT_DIGITS = 16
# Wrong receipts are counted per client, under a keyed hash of its address kept only in the cache
# (core.throttle.client_key): a guesser is slowed down, every other reporter goes on as before.
receipt_guard = Throttle(
    "supervision-receipts",
    lambda: settings.SUPERVISION_RECEIPT_FAILURES_PER_CLIENT,
    3600,
)


class TooManyGuesses(ActionError):
    """This client tried too many wrong receipts; it must wait (nobody else is affected)."""


# --- Small helpers -------------------------------------------------------------------------------


def _installation_salt() -> bytes:
    row = Installation.objects.filter(pk=1).first()
    if row is None:
        row, _created = Installation.objects.get_or_create(pk=1, defaults={"receipt_salt": crypto.random_salt()})
    return bytes(row.receipt_salt)


def new_receipt() -> str:
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def receipt_for_token(client_token) -> str:
    """The receipt of a report form, derived from the form's one-time token with the secret key.

    Posting the same form again (a reload, a double tap) gives the same receipt, so the report filed
    the first time is found and shown again. The token is never stored; without it (and the secret
    key) nobody can derive the receipt."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"supervision-receipt:{client_token}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:8], 'big') % 10**RECEIPT_DIGITS:0{RECEIPT_DIGITS}d}"


def _dedupe(report_key: bytes, kind: str, token: str) -> str:
    """What a reporter's follow-up form leaves to recognise its reload: a hash keyed with the report key."""
    if not token:
        return ""
    return hmac.new(report_key, f"{kind}:{token}".encode(), hashlib.sha256).hexdigest()


def format_receipt(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def clean_receipt(text: str) -> str | None:
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(digits) != RECEIPT_DIGITS or not digits.isdigit():
        return None
    return digits


def _dumps(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _loads(data: bytes) -> dict:
    return json.loads(data.decode())


def discipline_officers(organization: Organization):
    from dangjian.accounts.models import User

    return User.objects.filter(
        is_active=True, role_grants__organization=organization, role_grants__role=Role.DISCIPLINE
    ).distinct()


def officer_units(user) -> list[Organization]:
    """Organizations on which the user is a discipline officer (their reports and those below)."""
    ids = RoleGrant.objects.filter(user=user, role=Role.DISCIPLINE).values_list("organization_id", flat=True)
    return list(Organization.objects.filter(pk__in=list(ids)))


# Titles and everyday forms of address around a name ("赵书记", "老赵", "赵某"); removing them leaves
# the name or the surname.
TITLES = (
    "副书记",
    "书记",
    "副主任",
    "主任",
    "副镇长",
    "镇长",
    "副乡长",
    "乡长",
    "村长",
    "部长",
    "委员",
    "主席",
    "会计",
    "组长",
    "队长",
    "局长",
    "科长",
    "站长",
    "所长",
    "干部",
    "同志",
    "纪委",
    "监委",
    "纪检",
)
_SEPARATORS = NAME_SEPARATORS


def _compact(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch not in _SEPARATORS)


def personal_name(user) -> str:
    """The person's own name, apart from any title in the account: the account's personal name, or
    else the last part of the real name ("清河镇纪委 赵强" gives "赵强")."""
    return _compact(user.personal_name) or personal_name_from(user.full_name)


def name_match(reported: str, officer) -> str:
    """ "same" when the reported person is the officer by name, "maybe" when it could be (a surname with
    a title, a part of the account's name), "" otherwise."""
    named = _compact(reported)
    if not named:
        return ""
    own = personal_name(officer)
    if named in {own, _compact(officer.full_name), officer.username} or (len(own) >= 2 and own in named):
        return "same"
    if len(named) >= 2 and named in _compact(officer.full_name):
        return "maybe"
    bare = named
    for title in TITLES:
        bare = bare.replace(title, "")
    bare = bare.strip("老小某")
    if own and bare and bare == own[: len(bare)] and len(bare) < len(own):
        return "maybe"  # "赵书记", "老赵", "赵某": the officer's surname and a title
    return ""


def route_with_reasons(reported_org: Organization, reported_person: str) -> tuple[Organization, list[int], list[str]]:
    """The unit that receives a report: one level above the reported organization, skipping a unit
    one of whose officers is (or, in doubt, may be) the person reported, or that has no keys yet.
    Returns (unit, excluded officers, why units were skipped for a name)."""
    # Officers anywhere above the reported organization who are (or may be) the person reported never read it.
    excluded = [
        officer.pk
        for unit in reported_org.ancestors()
        for officer in discipline_officers(unit)
        if name_match(reported_person, officer)
    ]
    reasons: list[str] = []
    candidate = reported_org.parent or reported_org
    while candidate is not None:
        matches = [name_match(reported_person, o) for o in discipline_officers(candidate)]
        if any(matches):
            sure = "same" in matches
            reasons.append(
                (
                    _("The person reported has the name of a discipline officer of %(unit)s.")
                    if sure
                    else _("The person reported may be a discipline officer of %(unit)s (a similar name or title).")
                )
                % {"unit": candidate.name}
            )
            candidate = candidate.parent
            continue
        if not UnitKey.objects.filter(organization=candidate, retired_at__isnull=True).exists():
            candidate = candidate.parent
            continue
        return candidate, excluded, reasons
    raise ActionError(
        _(
            "No discipline inspection unit above this organization can receive reports online yet. "
            "Nothing was saved; please report in person or by post to the county discipline inspection commission."
        )
    )


def route(reported_org: Organization, reported_person: str) -> tuple[Organization, list[int]]:
    unit, excluded, _reasons = route_with_reasons(reported_org, reported_person)
    return unit, excluded


def _share_with(report: Report, report_key: bytes, unit: Organization) -> None:
    """Seal the report key to the current key of the unit and of every unit above it that has keys."""
    units = [unit, *unit.ancestors()]
    for unit_key in UnitKey.objects.filter(organization__in=units, retired_at__isnull=True):
        ReportKeyShare.objects.get_or_create(
            report=report,
            unit_key=unit_key,
            defaults={"sealed_key": crypto.seal(report_key, bytes(unit_key.public_key))},
        )


def _event(report: Report, kind: str, report_key: bytes, text: str = "", for_reporter: bool = True, state=""):
    return ReportEvent.objects.create(
        report=report,
        kind=kind,
        state=state or report.state,
        on=timezone.localdate(),
        text=crypto.encrypt(text.encode(), report_key) if text else None,
        for_reporter=for_reporter,
    )


# --- Evidence --------------------------------------------------------------------------------------


@dataclass
class PreparedEvidence:
    """An upload ready to store: its content and detected type, not the name it came with."""

    content: bytes
    content_type: str
    metadata_removed: bool


def prepare_evidence(upload) -> PreparedEvidence:
    """Images are re-encoded without metadata; other allowed types are kept as they are."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in {"jpg", "jpeg", "png", "webp"}:
        photo = process_photo(upload)
        return PreparedEvidence(photo.read(), "image/jpeg", True)
    content_type = check_attachment(upload)
    upload.seek(0)
    return PreparedEvidence(upload.read(), content_type, False)


EVIDENCE_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
}


def evidence_name(number: int, content_type: str) -> str:
    """A neutral name (材料1.jpg): by the order of the file and the type detected from its content. The
    name the reporter's phone gave the file (the time taken, a person's name) is never stored."""
    return _("Evidence%(number)s.%(ext)s") % {"number": number, "ext": EVIDENCE_EXTENSIONS.get(content_type, "bin")}


def evidence_metas(report: Report, key: bytes) -> list[dict]:
    """The report's evidence as shown to the reporter and the officers, each with its neutral name."""
    metas = []
    for position, item in enumerate(report.evidence.all(), 1):
        meta = _loads(crypto.decrypt(bytes(item.meta), key))
        meta.pop("name", None)  # files stored before neutral names: the original name is not shown
        meta["name"] = evidence_name(meta.get("number") or position, meta["type"])
        metas.append({"id": item.pk, "from_reporter": item.from_reporter, "on": item.on, **meta})
    return metas


def _store_evidence(
    report: Report,
    report_key: bytes,
    item: PreparedEvidence,
    from_reporter: bool,
    number: int,
    dedupe: str = "",
) -> Evidence:
    blob = default_storage.save(
        f"supervision/{uuid.uuid4().hex}.bin", ContentFile(crypto.encrypt(item.content, report_key))
    )
    meta = {"number": number, "type": item.content_type, "size": len(item.content), "stripped": item.metadata_removed}
    return Evidence.objects.create(
        report=report,
        blob=blob,
        meta=crypto.encrypt(_dumps(meta), report_key),
        from_reporter=from_reporter,
        on=timezone.localdate(),
        dedupe=dedupe,
    )


# --- Reporter ---------------------------------------------------------------------------------------


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
    receipt_hash = crypto.receipt_lookup(receipt, _installation_salt())
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
    sealed_payload = crypto.encrypt(_dumps(payload), report_key)
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
        _share_with(report, report_key, unit)
        _event(report, "received", report_key)
        for number, item in enumerate(evidence, 1):
            stored.append(_store_evidence(report, report_key, item, from_reporter=True, number=number).blob.name)
        if passed_over:
            _notify_unit(
                unit,
                _(
                    "A new supervision report came to your unit rather than the unit below, because the person "
                    "reported is or may be a discipline officer there; the report page says which unit and why."
                ),
            )
        else:
            _notify_unit(unit, _("A new supervision report arrived (no content is shown here)."))
    return report


def open_with_receipt(text: str, client: str = "") -> tuple[Report, bytes]:
    """The report and its key for a receipt. Wrong receipts count against the client (`client_key`)."""
    if client and receipt_guard.is_locked(client):
        raise TooManyGuesses(
            _("Too many wrong receipts were tried from this device. Please try again later (within an hour).")
        )
    receipt = clean_receipt(text)
    if receipt is None:
        raise ActionError(_("A receipt code has 16 digits."))
    report = Report.objects.filter(receipt_hash=crypto.receipt_lookup(receipt, _installation_salt())).first()
    if report is None:
        if client:
            receipt_guard.record_failure(client)
        raise ActionError(_("No report has this receipt code. Check the digits and try again."))
    try:
        report_key = crypto.decrypt(report.reporter_wrapped_key, crypto.kdf(receipt, bytes(report.reporter_salt)))
    except CryptoError as error:  # only if the database was tampered with
        raise ActionError(_("This report cannot be opened.")) from error
    return report, report_key


def reporter_message(receipt: str, body: str, client: str = "", token: str = "") -> Message:
    """The reporter's message; the same page's form (`token`) posted again adds nothing."""
    body = body.strip()
    if not body:
        raise ActionError(_("The message is empty."))
    report, key = open_with_receipt(receipt, client)
    if report.state == State.ARCHIVED:
        raise ActionError(_("The report is archived; no more messages can be added."))
    dedupe = _dedupe(key, "message", token)
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
        _notify_unit(report.receiving_unit, _("A reporter sent a message on a supervision report."))
    return message


def reporter_evidence(receipt: str, items: list[PreparedEvidence], client: str = "", token: str = "") -> list[Evidence]:
    """The reporter's added files; the same page's form (`token`) posted again adds nothing."""
    report, key = open_with_receipt(receipt, client)
    if report.state == State.ARCHIVED:
        raise ActionError(_("The report is archived; no more evidence can be added."))
    dedupe = _dedupe(key, "evidence", token)
    with discard_all_on_failure(default_storage) as stored, transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).exists()
        earlier = list(Evidence.objects.filter(report=report, dedupe=dedupe)) if dedupe else []
        if earlier:
            return earlier
        first = report.evidence.count() + 1
        added = [
            _store_evidence(report, key, item, from_reporter=True, number=first + n, dedupe=dedupe)
            for n, item in enumerate(items)
        ]
        stored.extend(item.blob.name for item in added)
    return added


def reporter_objection(receipt: str, reason: str, client: str = "") -> Report:
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Please say why you object to the result."))
    report, key = open_with_receipt(receipt, client)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        last = report.events.order_by("-id").first()
        repeated = last is not None and last.kind == "object" and decrypt_text(last.text, key) == reason
        if report.state == State.OBJECTED and repeated:
            return report  # the same objection posted again (a reload): recorded once
        workflow.check("object", report.state)
        report.state = State.OBJECTED
        report.version += 1
        report.save(update_fields=["state", "version"])
        _event(report, "object", key, reason)
        _notify_unit(report.receiving_unit, _("A reporter recorded an objection to a result."))
    return report


# --- Officers ---------------------------------------------------------------------------------------


@dataclass
class Opened:
    report: Report
    key: bytes
    payload: dict
    unit: Organization  # the unit the officer reads it as


def readable_units(user) -> list[Organization]:
    """Units whose reports the officer may read: their own units and every unit below them."""
    units = officer_units(user)
    if not units:
        return []
    from django.db.models import Q

    condition = Q()
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return list(Organization.objects.filter(condition))


class OfficerReader:
    """Opens reports for one officer. Each unit key is unsealed once, so an inbox of many reports
    costs one X25519 operation per unit rather than per report."""

    def __init__(self, user, user_private: bytes | None):
        if user_private is None:
            raise PermissionDenied
        self.user = user
        self.user_private = user_private
        self.paths = [u.path for u in officer_units(user)]
        self._unit_private: dict[int, bytes | None] = {}

    def _covers(self, unit: Organization) -> bool:
        return any(unit.path.startswith(p) for p in self.paths)

    def _unit_key(self, unit_key: UnitKey) -> bytes | None:
        if unit_key.pk not in self._unit_private:
            self._unit_private[unit_key.pk] = keys.unit_private_key(self.user, unit_key, self.user_private)
        return self._unit_private[unit_key.pk]

    def open(self, report: Report, *, record: bool = True) -> Opened:
        """`report` with `receiving_unit` and `shares__unit_key__organization` loaded; a 404 if not allowed."""
        if not self._covers(report.receiving_unit):
            raise Http404
        for share in report.shares.all():
            unit = share.unit_key.organization
            if not self._covers(unit):
                continue
            unit_private = self._unit_key(share.unit_key)
            if unit_private is None:
                continue
            report_key = crypto.unseal(share.sealed_key, unit_private)
            payload = _loads(crypto.decrypt(report.payload, report_key))
            if self.user.pk in payload.get("excluded_officers", []):
                raise Http404
            if record:
                audit(unit, self.user, "view", report.pk)
            return Opened(report, report_key, payload, unit)
        raise Http404


def reports_for_reading():
    return Report.objects.select_related("receiving_unit").prefetch_related("shares__unit_key__organization")


def open_as_officer(user, user_private: bytes | None, report_id: int, *, record: bool = True) -> Opened:
    """Decrypt a report for an officer allowed to read it; anyone else gets a 404."""
    reader = OfficerReader(user, user_private)
    report = reports_for_reading().filter(pk=report_id).first()
    if report is None:
        raise Http404
    return reader.open(report, record=record)


def decrypt_text(data, key: bytes) -> str:
    return crypto.decrypt(bytes(data), key).decode() if data else ""


def evidence_content(opened: Opened, user, evidence_id: int) -> tuple[bytes, dict]:
    item = opened.report.evidence.filter(pk=evidence_id).first()
    if item is None:
        raise Http404
    with item.blob.open("rb") as handle:
        content = crypto.decrypt(handle.read(), opened.key)
    audit(opened.unit, user, "download", opened.report.pk, f"evidence {item.pk}")
    return content, next(meta for meta in evidence_metas(opened.report, opened.key) if meta["id"] == item.pk)


def officer_message(user, opened: Opened, body: str) -> Message:
    body = body.strip()
    if not body:
        raise ActionError(_("The message is empty."))
    with transaction.atomic():
        message = Message.objects.create(
            report=opened.report,
            from_reporter=False,
            author=user,
            on=timezone.localdate(),
            body=crypto.encrypt(body.encode(), opened.key),
        )
        audit(opened.unit, user, "message", opened.report.pk)
    return message


def transition(
    user,
    opened: Opened,
    action: str,
    *,
    text: str = "",
    disposal: str = "",
    lower_unit=None,
    expected_version: int | None = None,
) -> Report:
    """Move a report along under 检举控告工作规则; each step is audited and (mostly) shown to the reporter."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=opened.report.pk)
        if expected_version is not None and report.version != expected_version:
            raise ActionError(_("Someone else acted on this report meanwhile. Read it again before you go on."))
        workflow.check(action, report.state)
        today = timezone.localdate()
        if action == "not_accept" and not text.strip():
            raise ActionError(_("Please give the reason; the reporter will read it."))
        if action == "conclude" and not text.strip():
            raise ActionError(_("Please write the result."))
        if action == "dispose":
            from .models import Disposal

            if disposal not in Disposal.values:
                raise ActionError(_("Choose one of the four ways of disposal."))
            report.disposal = disposal
        if action == "forward":
            if (
                lower_unit is None
                or not lower_unit.path.startswith(report.receiving_unit.path)
                or (lower_unit.pk == report.receiving_unit_id)
            ):
                raise ActionError(_("Choose a unit below the receiving unit."))
            reported = Organization.objects.filter(pk=opened.payload.get("organization_id")).first()
            if reported is not None and lower_unit.path.startswith(reported.path):
                raise ActionError(_("A report cannot be forwarded to the organization it is about, or below it."))
            if not UnitKey.objects.filter(organization=lower_unit, retired_at__isnull=True).exists():
                raise ActionError(_("That unit has no keys yet, so it could not read the report."))
            report.receiving_unit = lower_unit
            report.register_due = add_workdays(today, workflow.REGISTER_DAYS)
            _share_with(report, opened.key, lower_unit)
        if action == "conclude":
            report.concluded_on = today
            report.result_due = add_workdays(today, workflow.RESULT_NOTICE_DAYS)
        if action in {"archive"}:
            report.closed_on = today
        if action == "not_accept":
            report.closed_on = today
        report.state = workflow.TARGET[action]
        report.overdue_flagged = False
        report.version += 1
        report.save()
        reporter_sees = action != "conclude"  # the result reaches the reporter with "feed_back"
        _event(report, action, opened.key, text.strip(), for_reporter=reporter_sees)
        audit(opened.unit, user, action, report.pk, disposal or (lower_unit.name if lower_unit else ""))
    return report


def _notify_unit(unit: Organization, message: str, include_head: bool = False) -> None:
    """Tell the unit's discipline officers (and its head) that something needs attention; never the content."""
    users = list(discipline_officers(unit))
    if include_head:
        from dangjian.accounts.models import User

        users += list(
            User.objects.filter(
                is_active=True, role_grants__organization=unit, role_grants__role__in=[Role.SECRETARY, Role.ORG_ADMIN]
            ).distinct()
        )
    _notify_users(users, message)


def _notify_users(users, message: str) -> None:
    """A console notification (feedback's Notification, no case, no e-mail) to each user once; the
    message never holds report content."""
    from dangjian.feedback.models import Notification

    Notification.objects.bulk_create(
        [Notification(user=u, kind="supervision", message=message[:300]) for u in {u.pk: u for u in users}.values()]
    )


def scan_deadlines(today: datetime.date | None = None) -> int:
    """Flag reports whose reporter has not been told in time to the unit head and the unit above."""
    from django.db.models import Q

    today = today or timezone.localdate()
    late = Report.objects.filter(overdue_flagged=False).filter(
        Q(state=State.RECEIVED, acceptance_due__lt=today)
        | Q(state=State.CONCLUDED, result_due__lt=today)
        | Q(state=State.FORWARDED, register_due__lt=today)
    )
    count = 0
    for report in late.select_related("receiving_unit"):
        Report.objects.filter(pk=report.pk).update(overdue_flagged=True)
        message = _("A supervision report of %(unit)s is overdue (%(state)s).") % {
            "unit": report.receiving_unit.name,
            "state": report.get_state_display(),
        }
        _notify_unit(report.receiving_unit, message, include_head=True)
        if report.receiving_unit.parent:
            _notify_unit(report.receiving_unit.parent, message)
        count += 1
    return count


def purge_expired(today: datetime.date | None = None) -> dict[str, int]:
    """Delete closed reports after the retention period, files included; warn units 30 days before."""
    today = today or timezone.localdate()
    years = settings.SUPERVISION_RETENTION_YEARS
    closed = Report.objects.filter(state__in=[State.ARCHIVED, State.NOT_ACCEPTED], closed_on__isnull=False)
    cutoff = today - datetime.timedelta(days=365 * years)
    warn_cutoff = cutoff + datetime.timedelta(days=30)
    warned = 0
    for report in closed.filter(closed_on__lt=warn_cutoff, closed_on__gte=cutoff, purge_warned=False).select_related(
        "receiving_unit"
    ):
        _notify_unit(
            report.receiving_unit,
            _("A closed supervision report will be deleted in 30 days (retention %(years)s years).") % {"years": years},
            include_head=True,
        )
        Report.objects.filter(pk=report.pk).update(purge_warned=True)
        warned += 1
    purged = 0
    for report in closed.filter(closed_on__lt=cutoff).select_related("receiving_unit"):
        names = list(report.evidence.values_list("blob", flat=True))
        with transaction.atomic():
            report.delete()
            audit(report.receiving_unit, None, "purge", None, f"report deleted after {years} years")
        for name in names:  # after the commit: the rows are gone for good
            default_storage.delete(name)
        purged += 1
    return {"warned": warned, "purged": purged}
