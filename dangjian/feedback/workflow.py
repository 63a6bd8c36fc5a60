"""The feedback workflow: one table of transitions, who takes each, and the time limits.

received ──accept──> accepted ──dispatch──> dispatched ──start──> in_progress ──answer──> answered ──rate──> closed
    └──reject──> rejected          ^   └──return (退单)──> returned ──dispatch──┘        │ (needs approval?)   │
                                   │                                pending_approval <──┘   不满意 once: redo ──┘
any open case ──merge──> merged;  answered ──(20 working days unrated)──> closed (unrated)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dangjian.core.history import ActionError

from .models import Category, State, TimeLimit

S = State


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    # Whose staff may take it: "place" (the organization where the problem is, or above),
    # "lead" (the lead organization or above), "approver" (the lead's head), "citizen", "system".
    actor: str


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({S.RECEIVED}), "place"),
    "reject": Transition(frozenset({S.RECEIVED}), "place"),
    "dispatch": Transition(frozenset({S.ACCEPTED, S.RETURNED}), "place"),
    "return": Transition(frozenset({S.DISPATCHED, S.IN_PROGRESS}), "lead"),
    "start": Transition(frozenset({S.DISPATCHED}), "lead"),
    "answer": Transition(frozenset({S.IN_PROGRESS}), "lead"),
    "approve": Transition(frozenset({S.PENDING_APPROVAL}), "approver"),
    "send_back": Transition(frozenset({S.PENDING_APPROVAL}), "approver"),
    "extend": Transition(frozenset({S.DISPATCHED, S.IN_PROGRESS, S.PENDING_APPROVAL}), "lead"),
    "merge": Transition(frozenset({S.RECEIVED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}), "place"),
    "rate": Transition(frozenset({S.ANSWERED}), "citizen"),
    "auto_close": Transition(frozenset({S.ANSWERED}), "system"),
}


def check(action: str, state: str) -> None:
    """Raise a clear error when `action` is not allowed from `state`."""
    if state not in TRANSITIONS[action].sources:
        raise ActionError(_("This step is not possible now: the case is “%(state)s”.") % {"state": State(state).label})


def allowed(action: str, state: str) -> bool:
    return state in TRANSITIONS[action].sources


DEFAULT_LIMITS = {
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
