"""States of a report under 检举控告工作规则 and the steps between them."""

from django.utils.translation import gettext as _

from dangjian.core.history import ActionError

from .models import State

S = State

TRANSITIONS: dict[str, frozenset[str]] = {
    "accept": frozenset({S.RECEIVED}),
    "not_accept": frozenset({S.RECEIVED}),
    "forward": frozenset({S.RECEIVED}),
    "register": frozenset({S.FORWARDED}),
    "dispose": frozenset({S.ACCEPTED}),
    "conclude": frozenset({S.IN_DISPOSAL}),
    "feed_back": frozenset({S.CONCLUDED}),
    "object": frozenset({S.FED_BACK}),  # the reporter
    "archive": frozenset({S.FED_BACK, S.OBJECTED, S.NOT_ACCEPTED}),
}
TARGET = {
    "accept": S.ACCEPTED,
    "not_accept": S.NOT_ACCEPTED,
    "forward": S.FORWARDED,
    "register": S.ACCEPTED,
    "dispose": S.IN_DISPOSAL,
    "conclude": S.CONCLUDED,
    "feed_back": S.FED_BACK,
    "object": S.OBJECTED,
    "archive": S.ARCHIVED,
}

ACCEPTANCE_NOTICE_DAYS = 15  # reporter told of acceptance within 15 working days of receipt
RESULT_NOTICE_DAYS = 15  # result fed back within 15 working days of conclusion
REGISTER_DAYS = 5  # a lower unit registers a forwarded report within 5 working days


def check(action: str, state: str) -> None:
    if state not in TRANSITIONS[action]:
        raise ActionError(
            _("This step is not possible now: the report is “%(state)s”.") % {"state": State(state).label}
        )


def allowed(action: str, state: str) -> bool:
    return state in TRANSITIONS[action]
