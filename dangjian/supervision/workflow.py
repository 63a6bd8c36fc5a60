"""States of a report under 检举控告工作规则 and the steps between them (a core.workflow.Workflow).

received ──accept──> accepted ──dispose──> in_disposal ──conclude──> concluded ──feed_back──> fed_back ──archive──> archived
    ├──not_accept──> not_accepted ──archive──┘                                         └──object (the reporter)──> objected ──archive──┘
    └──forward──> forwarded ──register (the lower unit)──> accepted

Officers' steps are taken on a report opened for them (`reader.Opened`): the actor is a discipline officer
(accounts.permissions.SUPERVISION_OFFICER) covering the unit that received it. The reporter objects with
the receipt, not as a user.
"""

from django.utils.translation import gettext as _

from dangjian.accounts.permissions import SUPERVISION_OFFICER, has_capability
from dangjian.core.workflow import Step, Workflow
from dangjian.organizations.models import Organization

from .models import State, UnitKey

S = State


def _officer(user, opened):
    """The unit the officer acts as: the one the report was opened as, when they cover the receiving unit."""
    return opened.unit if has_capability(user, SUPERVISION_OFFICER, opened.report.receiving_unit) else None


def forward_targets(opened):
    """The units a report may be forwarded to: below the receiving unit, with keys (to read it), and not the
    organization the report is about or below it."""
    receiving = opened.report.receiving_unit
    with_keys = UnitKey.objects.filter(retired_at__isnull=True).values("organization_id")
    units = receiving.subtree().exclude(pk=receiving.pk).filter(pk__in=with_keys).order_by("path")
    reported = Organization.objects.filter(pk=opened.payload.get("organization_id")).first()
    return units.exclude(path__startswith=reported.path) if reported is not None else units


def _may_forward(opened) -> str:
    if forward_targets(opened).exists():
        return ""
    return _("No unit below can receive this report (none has keys yet), so it cannot be forwarded.")


REPORTS = Workflow(
    [
        Step("accept", {S.RECEIVED}, S.ACCEPTED, "officer"),
        Step("not_accept", {S.RECEIVED}, S.NOT_ACCEPTED, "officer"),
        Step("forward", {S.RECEIVED}, S.FORWARDED, "officer", _may_forward),
        Step("register", {S.FORWARDED}, S.ACCEPTED, "officer"),
        Step("dispose", {S.ACCEPTED}, S.IN_DISPOSAL, "officer"),
        Step("conclude", {S.IN_DISPOSAL}, S.CONCLUDED, "officer"),
        Step("feed_back", {S.CONCLUDED}, S.FED_BACK, "officer"),
        Step("object", {S.FED_BACK}, S.OBJECTED, "reporter"),
        Step("archive", {S.FED_BACK, S.OBJECTED, S.NOT_ACCEPTED}, S.ARCHIVED, "officer"),
    ],
    # "reporter" has no rule: the reporter acts with the receipt (reports.reporter_objection), never as a user.
    actors={"officer": _officer},
    refusal=lambda state: (
        _("This step is not possible now: the report is “%(state)s”.") % {"state": State(state).label}
    ),
    state_of=lambda opened: opened.report.state,
)
TRANSITIONS = REPORTS.steps

ACCEPTANCE_NOTICE_DAYS = 15  # reporter told of acceptance within 15 working days of receipt
RESULT_NOTICE_DAYS = 15  # result fed back within 15 working days of conclusion
REGISTER_DAYS = 5  # a lower unit registers a forwarded report within 5 working days


def check(action: str, state: str) -> None:
    REPORTS.check(action, state)


def allowed(action: str, state: str) -> bool:
    return REPORTS.allowed(action, state)


def target(action: str) -> str:
    return REPORTS.target(action)


def require(user, action: str, opened):
    """The unit the officer acts as for `action` on the opened report (403, or a clear error)."""
    return REPORTS.require(user, action, opened)


def available_steps(user, opened) -> list[str]:
    """The steps the officer may take on the opened report now: what the report page offers."""
    return REPORTS.available_steps(user, opened)
