"""Evidence files of a report: prepared on upload (images lose their metadata), stored encrypted with
the report key under a neutral name, read back for the reporter and (audited) for the officers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.uploads import check_attachment, process_photo

from . import crypto
from .audit import audit
from .models import Evidence, Report

if TYPE_CHECKING:
    from .reader import Opened


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
        meta = crypto.decrypt_json(item.meta, key)
        meta.pop("name", None)  # files stored before neutral names: the original name is not shown
        meta["name"] = evidence_name(meta.get("number") or position, meta["type"])
        metas.append({"id": item.pk, "from_reporter": item.from_reporter, "on": item.on, **meta})
    return metas


def store_evidence(
    report: Report,
    report_key: bytes,
    item: PreparedEvidence,
    from_reporter: bool,
    number: int,
    dedupe: str = "",
) -> Evidence:
    """Write one file (encrypted) and its row; the caller holds the transaction and discards the file on failure."""
    blob = default_storage.save(
        f"supervision/{uuid.uuid4().hex}.bin", ContentFile(crypto.encrypt(item.content, report_key))
    )
    meta = {"number": number, "type": item.content_type, "size": len(item.content), "stripped": item.metadata_removed}
    return Evidence.objects.create(
        report=report,
        blob=blob,
        meta=crypto.encrypt_json(meta, report_key),
        from_reporter=from_reporter,
        on=timezone.localdate(),
        dedupe=dedupe,
    )


def evidence_content(opened: Opened, user, evidence_id: int) -> tuple[bytes, dict]:
    """An officer downloads a file of a report they opened: decrypted, and written to the audit trail."""
    item = opened.report.evidence.filter(pk=evidence_id).first()
    if item is None:
        raise Http404
    with item.blob.open("rb") as handle:
        content = crypto.decrypt(handle.read(), opened.key)
    audit(opened.unit, user, "download", opened.report.pk, f"evidence {item.pk}")
    return content, next(meta for meta in evidence_metas(opened.report, opened.key) if meta["id"] == item.pk)
