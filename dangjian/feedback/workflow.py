"""The feedback workflow (a core.workflow.Workflow): its steps, who takes each, and the time limits.

received ──accept──> accepted ──dispatch──> dispatched ──start──> in_progress ──answer──> answered ──rate──> closed
    └──reject──> rejected          ^   └──return (退单)──> returned ──dispatch──┘        │ (needs approval?)   │
                                   │                                pending_approval <──┘   不满意 once: redo ──┘
received ──accept_handle──> in_progress: an organization with no units below it accepts and handles in one step
any open case ──merge──> merged;  answered ──(20 working days unrated)──> closed (unrated)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.permissions import APPROVE_FEEDBACK, HANDLE_FEEDBACK, acting_organization
from dangjian.core.history import ActionError
from dangjian.core.workflow import Step, Workflow

from .models import Category, Extension, State, TimeLimit

S = State


# --- Who takes a step: the organization the user acts for, or None -----------------------------------


def _acting(user, organization, capability: str):
    try:
        return acting_organization(user, organization, capability)
    except PermissionDenied:
        return None


def _place(user, case):
    """Staff of the organization where the problem is, or above."""
    return _acting(user, case.place, HANDLE_FEEDBACK)


def _own_unit(user, case):
    """Staff of the place's own organization when it has no units below it: nobody to dispatch to, so
    accepting is handling (one step instead of accept → dispatch to oneself → start)."""
    acting = _place(user, case)
    if acting is None or acting.pk != case.place_id or acting.children.exists():
        return None
    return acting


def _lead(user, case):
    """Staff of the lead organization, or above."""
    if case.lead_org is None:
        raise ActionError(_("The case has not been dispatched yet."))
    return _acting(user, case.lead_org, HANDLE_FEEDBACK)


def _approver(user, case):
    """The lead organization's head."""
    return _acting(user, case.lead_org, APPROVE_FEEDBACK) if case.lead_org is not None else None


# --- Further conditions ---------------------------------------------------------------------------


def _may_ask_for_time(case) -> str:
    if timezone.now() > case.answer_deadline:
        return _("The deadline has passed; an extension must be asked for before it.")
    if case.extensions.filter(decision=Extension.Decision.PENDING).exists():
        return _("An extension request is already waiting for a decision.")
    return ""


OPEN = {S.RECEIVED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}

FEEDBACK = Workflow(
    [
        Step("accept", {S.RECEIVED}, S.ACCEPTED, "place"),
        Step("accept_handle", {S.RECEIVED}, S.IN_PROGRESS, "own_unit"),
        Step("reject", {S.RECEIVED}, S.REJECTED, "place"),
        # Dispatching to one's own organization starts the handling at once.
        Step("dispatch", {S.ACCEPTED, S.RETURNED}, {S.DISPATCHED, S.IN_PROGRESS}, "place"),
        Step("return", {S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, "lead"),
        Step("start", {S.DISPATCHED}, S.IN_PROGRESS, "lead"),
        # Published at once, or first approved by the lead's head when the organization asks for it.
        Step("answer", {S.IN_PROGRESS}, {S.ANSWERED, S.PENDING_APPROVAL}, "lead"),
        Step("approve", {S.PENDING_APPROVAL}, S.ANSWERED, "approver"),
        Step("send_back", {S.PENDING_APPROVAL}, S.IN_PROGRESS, "approver"),
        Step("extend", {S.DISPATCHED, S.IN_PROGRESS, S.PENDING_APPROVAL}, None, "lead", _may_ask_for_time),
        Step("merge", OPEN, S.MERGED, "place"),
        # 不满意 once: redo.
        Step("rate", {S.ANSWERED}, {S.CLOSED, S.IN_PROGRESS}, "citizen"),
        Step("auto_close", {S.ANSWERED}, S.CLOSED, "system"),
    ],
    # "citizen" (with the query password) and "system" (the clock) have no rule: never offered to staff.
    actors={"place": _place, "own_unit": _own_unit, "lead": _lead, "approver": _approver},
    refusal=lambda state: _("This step is not possible now: the case is “%(state)s”.") % {"state": State(state).label},
)
TRANSITIONS = FEEDBACK.steps


def check(action: str, state: str) -> None:
    """Raise a clear error when `action` is not allowed from `state`."""
    FEEDBACK.check(action, state)


def allowed(action: str, state: str) -> bool:
    return FEEDBACK.allowed(action, state)


def require(user, action: str, case):
    """The organization the user acts for when taking `action` on `case` (403, or a clear error)."""
    return FEEDBACK.require(user, action, case)


def available_steps(user, case) -> list[str]:
    """The steps the user may take on the case now: what the case page offers, by the actions' own rules."""
    return FEEDBACK.available_steps(user, case)


DEFAULT_LIMITS: dict[str, int] = {
    Category.CONSULT: 3,
    Category.HELP: 5,
    Category.SUGGESTION: 5,
    Category.COMPLAINT: 10,
    Category.PRAISE: 5,
}


def time_limit(category: str) -> TimeLimit:
    limit = TimeLimit.objects.filter(category=category).first()
    if limit is None:
        limit = TimeLimit(category=category, answer_days=DEFAULT_LIMITS.get(category, 5))
    return limit
