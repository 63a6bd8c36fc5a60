"""The supervision module's public writes and reads, for the other apps, the demo and the API.

The code lives by concern: `reports` (the reporter files and follows up with the receipt), `receipts`,
`routing` (which unit receives a report), `evidence`, `reader` (opening reports for an officer), `steps`
(the officers' workflow steps, one function each), `officers` (who is an officer; a unit's keys),
`audit`, `clock` (deadlines, retention) and `notices`. Contents are encrypted before they reach the
database; every officer's view, download, message and step is in the audit trail.
"""

from .clock import purge_expired, scan_deadlines
from .crypto import decrypt_text
from .evidence import PreparedEvidence, evidence_content, evidence_metas, prepare_evidence
from .officers import create_unit_keys, decide, grant_key_access, grant_officer, recover_key_access, revoke_officer
from .reader import OfficerReader, Opened, open_as_officer, readable_units, reports_for_reading
from .receipts import TooManyGuesses, format_receipt, open_with_receipt, receipt_for_token
from .reports import reporter_evidence, reporter_message, reporter_objection, submit_report
from .steps import (
    accept_report,
    archive_report,
    conclude_report,
    dispose_report,
    feed_back_report,
    forward_report,
    not_accept_report,
    officer_message,
    register_report,
    transition,
)

__all__ = [
    "Opened",
    "OfficerReader",
    "PreparedEvidence",
    "TooManyGuesses",
    "accept_report",
    "archive_report",
    "conclude_report",
    "create_unit_keys",
    "decide",
    "decrypt_text",
    "dispose_report",
    "evidence_content",
    "evidence_metas",
    "feed_back_report",
    "format_receipt",
    "forward_report",
    "grant_key_access",
    "grant_officer",
    "not_accept_report",
    "officer_message",
    "open_as_officer",
    "open_with_receipt",
    "prepare_evidence",
    "purge_expired",
    "readable_units",
    "receipt_for_token",
    "recover_key_access",
    "register_report",
    "reporter_evidence",
    "reporter_message",
    "reporter_objection",
    "reports_for_reading",
    "revoke_officer",
    "scan_deadlines",
    "submit_report",
    "transition",
]
